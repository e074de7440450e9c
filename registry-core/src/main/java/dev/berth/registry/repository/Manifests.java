package dev.berth.registry.repository;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The manifests of one repository: put (by tag or digest) after checking that everything they reference is in the
 * repository, get by tag or digest, delete. Putting or deleting a manifest with a subject keeps the referrers index
 * up to date. Thread-safe; a tag moves atomically from one manifest to the next.
 */
public interface Manifests {

    /** What a push stored: the manifest's digest and its parsed view (whose subject a client is told about). */
    record PutResult(Digest digest, Manifest manifest) {
    }

    /** Pushes a manifest under a tag or its digest. */
    default PutResult put(Reference reference, String contentType, byte[] bytes) {
        return put(reference, contentType, bytes, List.of());
    }

    /**
     * Pushes a manifest under a tag or its digest, and under {@code moreTags} too (OCI's {@code ?tag=}). Reported as
     * one push per tag (one without a tag when there is none).
     *
     * @throws RegistryException MANIFEST_INVALID for a malformed manifest, DIGEST_INVALID when pushed by a digest the
     *                           bytes do not have, MANIFEST_BLOB_UNKNOWN when a blob or child manifest it references
     *                           is not in the repository, UNSUPPORTED when the registry is read-only or the repository
     *                           a pull-through cache, DENIED when it would move an immutable tag
     *                           ({@link dev.berth.registry.policy.ImmutableTags ImmutableTags}) to another digest
     */
    PutResult put(Reference reference, String contentType, byte[] bytes, Collection<Tag> moreTags);

    /** The digest a reference names in this repository, when it names one (storage only, never an upstream). */
    Optional<Digest> resolve(Reference reference);

    /**
     * The manifest a tag or digest names, as pushed. Reported as a pull. In a pull-through repository, one not in
     * storage is fetched from the upstream and stored; a tag is asked for again once older than the upstream's ttl,
     * and served from storage, stale, when the upstream cannot be reached.
     */
    Optional<StoredManifest> get(Reference reference);

    /**
     * As {@link #get(Reference)}, for a client that takes only the media types {@code accepts} accepts (content
     * negotiation, as an HTTP Accept header asks for it): a manifest of another type is not served, and so is not a
     * pull.
     *
     * @throws RegistryException MANIFEST_UNKNOWN, saying why, when the manifest is there but of a type the client
     *                           does not accept
     */
    default Optional<StoredManifest> get(Reference reference, Predicate<String> accepts) {
        Optional<StoredManifest> m = get(reference);
        if (m.isPresent() && !accepts.test(m.get().mediaType())) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is "
                    + m.get().mediaType() + ", which the client does not accept");
        }
        return m;
    }

    /**
     * What {@link #get} would serve, without its bytes: media type, digest and size (a HEAD: never reported as a
     * pull). In a pull-through repository, fetched and stored as {@code get} does.
     */
    Optional<Descriptor> stat(Reference reference);

    /** The manifest a tag or digest names, or MANIFEST_UNKNOWN saying what was asked for. */
    default StoredManifest getOrThrow(Reference reference) {
        return get(reference).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "manifest " + reference + " is not in the repository"));
    }

    /**
     * Deletes a manifest from this repository, with the tags that point at it and its entry in the referrers index.
     * MANIFEST_UNKNOWN when the repository does not have it; UNSUPPORTED when deletes are disabled or the
     * registry is read-only; DENIED when an immutable tag ({@link dev.berth.registry.policy.ImmutableTags ImmutableTags}) points at it.
     */
    void delete(Digest digest);
}
