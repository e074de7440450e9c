package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.proxy.PullThrough;
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
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.proxy.UpstreamClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The manifests of one repository: put (by tag or digest) after checking that everything they reference is in the
 * repository, get by tag or digest, delete. Putting or deleting a manifest with a subject keeps the referrers index
 * up to date. Thread-safe; a tag moves atomically from one manifest to the next.
 */
public final class Manifests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger PULL_THROUGH_LOG = org.slf4j.LoggerFactory.getLogger("dev.berth.registry.proxy");

    private final Store store;
    private final RepositoryName name;
    private final Blobs blobs;
    private final Tags tags;

    private final PullThrough.Target proxy;

    Manifests(Store store, RepositoryName name, Blobs blobs, Tags tags) {
        this(store, name, blobs, tags, null);
    }

    Manifests(Store store, RepositoryName name, Blobs blobs, Tags tags,
            PullThrough.Target proxy) {
        this.store = store;
        this.name = name;
        this.blobs = blobs;
        this.tags = tags;
        this.proxy = proxy;
    }

    /** What a push stored: the manifest's digest and its parsed view (whose subject a client is told about). */
    public record PutResult(Digest digest, Manifest manifest) {
    }

    /** Pushes a manifest under a tag or its digest. */
    public PutResult put(Reference reference, String contentType, byte[] bytes) {
        return put(reference, contentType, bytes, List.of());
    }

    /**
     * Pushes a manifest under a tag or its digest, and under {@code moreTags} too (OCI's {@code ?tag=}).
     *
     * @throws RegistryException MANIFEST_INVALID for a malformed manifest, DIGEST_INVALID when pushed by a digest the
     *                           bytes do not have, MANIFEST_BLOB_UNKNOWN when a blob or child manifest it references
     *                           is not in the repository, UNSUPPORTED when the registry is read-only, DENIED when
     *                           it would move an immutable tag ({@link ImmutableTags}) to another digest
     */
    public PutResult put(Reference reference, String contentType, byte[] bytes, Collection<Tag> moreTags) {
        Uploads.refusePush(name, proxy);
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

    /** The digest a reference names in this repository, when it names one. */
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

    /**
     * The manifest a tag or digest names, as pushed. In a pull-through repository, one not in storage is fetched
     * from the upstream and stored; a tag is asked for again once older than the upstream's ttl, and served from
     * storage, stale, when the upstream cannot be reached.
     */
    public Optional<StoredManifest> get(Reference reference) {
        if (proxy != null) {
            return pullThrough(reference);
        }
        return resolve(reference).flatMap(this::read);
    }

    private Optional<StoredManifest> pullThrough(Reference reference) {
        Optional<StoredManifest> local = resolve(reference).flatMap(this::read);
        Optional<Tag> tag = reference.asTag();
        if (local.isPresent() && (tag.isEmpty() || fresh(tag.get()))) {
            return local;
        }
        Optional<UpstreamClient.Fetched> fetched;
        try {
            fetched = proxy.owner().manifest(proxy, reference.toString());
        } catch (IOException | RuntimeException e) {
            if (local.isPresent()) {
                PULL_THROUGH_LOG.warn("upstream {} failed ({}); serving {}:{} as cached",
                        proxy.upstream().redactedUrl(), Failures.describe(e), name, reference);
                return local;
            }
            throw new RegistryException(ErrorCode.UNAVAILABLE, "manifest " + reference + " is not cached and the "
                    + "upstream " + proxy.upstream().redactedUrl() + " failed: " + Failures.describe(e), e);
        }
        if (fetched.isEmpty()) {
            return Optional.empty();
        }
        UpstreamClient.Fetched f = fetched.get();
        String mediaType = f.mediaType() != null ? f.mediaType() : mediaTypeOf(f.bytes());
        if (!store.readOnly()) {
            String data = Layout.blobData(f.digest());
            store.touch(f.digest());
            if (!store.exists(data)) {
                store.put(data, f.bytes());
            }
            store.putLink(Layout.manifestRevisionLink(name, f.digest()), f.digest());
            try {
                Manifest.parse(f.bytes(), mediaType).subject().ifPresent(subject -> store.putLink(
                        Layout.referrerLink(name, subject.digest(), f.digest()), f.digest()));
            } catch (RegistryException notOurs) {
                // stored as the upstream serves it, whatever it is
            }
            // Moving (or re-writing) the tag also restarts its ttl.
            tag.ifPresent(t -> tags.set(t, f.digest()));
        }
        return Optional.of(new StoredManifest(f.digest(), mediaType, f.bytes()));
    }

    /** Whether a tag was fetched from the upstream within its ttl. */
    private boolean fresh(Tag tag) {
        return store.stat(Layout.tagCurrentLink(name, tag))
                .map(info -> info.modTime().plus(proxy.upstream().ttl()).isAfter(store.clock().instant()))
                .orElse(false);
    }

    /** The manifest by digest, or MANIFEST_UNKNOWN saying what was asked for. */
    public StoredManifest getOrThrow(Reference reference) {
        return get(reference).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "manifest " + reference + " is not in repository " + name));
    }

    /**
     * Deletes a manifest from this repository, with the tags that point at it and its entry in the referrers index.
     * MANIFEST_UNKNOWN when the repository does not have it; UNSUPPORTED when deletes are disabled or the
     * registry is read-only; DENIED when an immutable tag ({@link ImmutableTags}) points at it.
     */
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

    static Optional<Manifest> parseQuietly(StoredManifest stored) {
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
    static String mediaTypeOf(byte[] bytes) {
        try {
            return Manifest.parse(bytes, null).mediaType();
        } catch (RegistryException notOurs) {
            try {
                JsonNode node = JSON.readTree(bytes);
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
