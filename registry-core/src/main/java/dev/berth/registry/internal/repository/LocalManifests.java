package dev.berth.registry.internal.repository;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.ImageIndex;
import dev.berth.registry.model.ImageManifest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.StoredManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The manifests of a repository in storage: their bytes in the blob store, a revision link per manifest, the tags
 * and the referrers index that point at them.
 */
public final class LocalManifests implements Manifests {
    /**
     * For {@link #mediaTypeOf}'s rare fallback only: made on first use, because every request about a repository
     * creates its manifests object, and making a mapper loads a few hundred classes (70 ms of a cold server's first
     * blob pull, which needs no JSON at all).
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final Store store;
    private final RepositoryName name;
    private final LocalBlobs blobs;
    private final LocalTags tags;

    LocalManifests(Store store, RepositoryName name, LocalBlobs blobs, LocalTags tags) {
        this.store = store;
        this.name = name;
        this.blobs = blobs;
        this.tags = tags;
    }

    @Override
    public PutResult put(Reference reference, String contentType, byte[] bytes, Collection<Tag> moreTags) {
        store.checkWritable();
        Manifest manifest = Manifest.parse(bytes, contentType);
        Digest digest = manifest.digest();
        if (reference instanceof Reference.ByDigest byDigest) {
            Digest claimed = byDigest.digest();
            if (!claimed.matches(bytes)) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID, "the manifest's " + claimed.algorithm()
                        + " digest is " + Digest.of(claimed.algorithm(), bytes) + ", not " + claimed);
            }
            digest = claimed;
        }
        // An online garbage collection in this JVM must not delete what this push relies on, bytes included.
        store.touch(digest);
        manifest.references().forEach(d -> store.touch(d.digest()));
        checkReferences(manifest);

        Set<Tag> tagsToSet = new LinkedHashSet<>();
        reference.asTag().ifPresent(tagsToSet::add);
        tagsToSet.addAll(moreTags);
        for (Tag tag : tagsToSet) {
            tags.checkMayPoint(tag, digest); // before anything is written
        }

        // Order matters for a crash at any point: bytes, then revision, then referrer and tags pointing at them.
        String data = Layout.blobData(digest);
        if (!store.exists(data)) {
            store.put(data, bytes);
        }
        store.putLink(Layout.manifestRevisionLink(name, digest), digest);
        Digest stored = digest;
        manifest.subject().ifPresent(subject -> store.putLink(Layout.referrerLink(name, subject.digest(), stored), stored));
        for (Tag tag : tagsToSet) {
            tags.set(tag, digest);
        }
        return new PutResult(digest, manifest);
    }

    @Override
    public Optional<Digest> resolve(Reference reference) {
        if (reference instanceof Reference.ByDigest byDigest) {
            Digest digest = byDigest.digest();
            return store.readLink(Layout.manifestRevisionLink(name, digest)).filter(digest::equals);
        }
        Tag tag = reference.asTag().orElseThrow();
        // A cached tag stands for both reads below: every write that moves or removes the tag, or deletes the
        // manifest it points at, invalidates it.
        Optional<Digest> cached = store.cache().tag(name, tag);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Digest> resolved = tags.get(tag)
                .filter(d -> store.readLink(Layout.manifestRevisionLink(name, d)).isPresent());
        resolved.ifPresent(d -> store.cache().fillTag(name, tag, d));
        return resolved;
    }

    @Override
    public Optional<StoredManifest> get(Reference reference) {
        return resolve(reference).flatMap(this::read);
    }

    @Override
    public Optional<Descriptor> stat(Reference reference) {
        return get(reference).map(LocalManifests::descriptor);
    }

    /** What a HEAD tells of a stored manifest. */
    public static Descriptor descriptor(StoredManifest m) {
        return Descriptor.of(m.mediaType(), m.digest(), m.size());
    }

    /**
     * Stores a manifest fetched from an upstream as the upstream serves it, whatever it is (its references are not
     * checked: they are fetched when asked for), and points {@code tag} at it, which also restarts the tag's ttl.
     */
    public void storeFetched(Digest digest, byte[] bytes, String mediaType, Optional<Tag> tag) {
        String data = Layout.blobData(digest);
        store.touch(digest);
        if (!store.exists(data)) {
            store.put(data, bytes);
        }
        store.putLink(Layout.manifestRevisionLink(name, digest), digest);
        try {
            Manifest.parse(bytes, mediaType).subject().ifPresent(subject -> store.putLink(
                    Layout.referrerLink(name, subject.digest(), digest), digest));
        } catch (RegistryException notOurs) {
            // stored as the upstream serves it, whatever it is
        }
        tag.ifPresent(t -> tags.set(t, digest));
    }

    @Override
    public void delete(Digest digest) {
        store.checkWritable();
        store.checkDeletesEnabled();
        Optional<StoredManifest> existing = resolve(Reference.of(digest)).flatMap(this::read);
        if (existing.isEmpty()) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + digest + " is not in repository " + name);
        }
        tags.untagAll(digest);
        parseQuietly(existing.get()).flatMap(Manifest::subject)
                .ifPresent(subject -> store.delete(Layout.referrerLinkDir(name, subject.digest(), digest)));
        store.delete(Layout.manifestRevisionLinkDir(name, digest));
    }

    Optional<StoredManifest> read(Digest digest) {
        return store.get(Layout.blobData(digest)).map(bytes -> new StoredManifest(digest, mediaTypeOf(bytes), bytes));
    }

    /** The parsed view of stored bytes, empty when Berth does not parse them (schema1, damaged). */
    public static Optional<Manifest> parseQuietly(StoredManifest stored) {
        try {
            return Optional.of(Manifest.parse(stored.bytes(), stored.mediaType()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    /**
     * The media type to serve stored bytes with. Manifests we accepted parse; for anything else in a store written by
     * another registry (schema1, say), the document's own mediaType field is the best answer.
     */
    public static String mediaTypeOf(byte[] bytes) {
        try {
            return Manifest.parse(bytes, null).mediaType();
        } catch (RegistryException notOurs) {
            try {
                JsonNode node = Json.MAPPER.readTree(bytes);
                if (node != null && node.path("mediaType").isTextual()) {
                    return node.path("mediaType").asText();
                }
                if (node != null && node.path("schemaVersion").asInt() == 1) {
                    return node.has("signatures") ? MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST
                            : MediaTypes.DOCKER_SCHEMA1_MANIFEST;
                }
            } catch (IOException | RuntimeException ignored) {
                // not JSON either
            }
            return MediaTypes.OCTET_STREAM;
        }
    }

    private void checkReferences(Manifest manifest) {
        List<Descriptor> refs = manifest.references();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            Descriptor d = refs.get(i);
            String where = manifest instanceof ImageIndex ? "manifests[" + i + "]"
                    : i == 0 ? "config" : "layers[" + (i - 1) + "]";
            if (manifest instanceof ImageManifest && MediaTypes.NON_DISTRIBUTABLE_LAYERS.contains(d.mediaType())
                    && !d.urls().isEmpty()) {
                continue; // foreign layer: its bytes live at its URLs, not here
            }
            boolean present = manifest instanceof ImageIndex
                    ? store.readLink(Layout.manifestRevisionLink(name, d.digest())).isPresent()
                    : blobs.isLinked(d.digest());
            Optional<Long> size = present ? blobs.storedSize(d.digest()) : Optional.empty();
            if (size.isEmpty()) {
                problems.add(where + " " + d.digest() + " is not in repository " + name);
            } else if (size.get() != d.size()) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID, where + " " + d.digest() + " has size "
                        + size.get() + " in the repository but the manifest says " + d.size());
            }
        }
        if (!problems.isEmpty()) {
            throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, String.join("; ", problems.size() > 5
                    ? problems.subList(0, 5) : problems) + (problems.size() > 5 ? "; and " + (problems.size() - 5)
                    + " more" : ""));
        }
    }
}
