package dev.berth.registry.spi.cache;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.util.Optional;

/**
 * An accelerator in front of storage: what the registry would otherwise learn with a {@code stat} or a small read.
 * Three kinds of entry:
 * <ul>
 *   <li>a blob's descriptor (digest → size and media type), as {@code stat} of the blob's data gives it;</li>
 *   <li>a repository's membership of a blob (the repository holds a {@code _layers} link to the digest);</li>
 *   <li>a tag's current manifest digest (only while that manifest's revision is in the repository).</li>
 * </ul>
 *
 * <p>The registry stays right whatever the cache does: it only caches what it has just read from storage
 * ({@code fill...}), and every write that could make an entry wrong calls {@code invalidate...} after the storage
 * write and before the write returns to its caller. Only positive answers are cached (absence always goes to storage).
 *
 * <p><b>A fill must lose against an invalidation.</b> A reader may read storage just before a delete and fill the
 * cache just after the delete's invalidation; to keep that stale value out, an implementation ignores a fill of a key
 * that was invalidated less than a short grace period ago (a tombstone of a few seconds is enough; the kit checks a
 * fill right after an invalidation is ignored). A fill never replaces a tombstone; an invalidation always does.
 *
 * <p>Failures: any method may throw an unchecked exception (preferably {@link CacheException}); the registry then
 * answers from storage, counts the failure and logs it at most once in a while. An implementation should still keep
 * its calls bounded in time (timeouts) since a slow cache makes every request slow. Implementations are thread-safe.
 */
public interface BlobDescriptorCache extends AutoCloseable {

    /** The descriptor of a stored blob, as last filled. */
    Optional<Descriptor> blob(Digest digest);

    /** Remembers a blob's descriptor just read from storage. */
    void fillBlob(Descriptor descriptor);

    /** The blob's bytes were deleted (garbage collection): forget its descriptor and keep fills out for a while. */
    void invalidateBlob(Digest digest);

    /** True when the cache knows that {@code repository} links {@code digest}; false means "ask storage". */
    boolean isLinked(RepositoryName repository, Digest digest);

    /**
     * The blob's descriptor when the cache knows both that {@code repository} links it and its descriptor: the
     * whole of a HEAD blob in one lookup. The default asks {@link #isLinked} then {@link #blob}; a remote cache
     * answers both in one round trip.
     */
    default Optional<Descriptor> linkedBlob(RepositoryName repository, Digest digest) {
        return isLinked(repository, digest) ? blob(digest) : Optional.empty();
    }

    /** Remembers that {@code repository} links {@code digest}, just read from storage. */
    void fillLink(RepositoryName repository, Digest digest);

    /** The repository's link to the blob was deleted. */
    void invalidateLink(RepositoryName repository, Digest digest);

    /** The manifest digest a tag pointed at when last filled. */
    Optional<Digest> tag(RepositoryName repository, Tag tag);

    /** Remembers the manifest a tag points at, just read from storage. */
    void fillTag(RepositoryName repository, Tag tag, Digest digest);

    /** The tag was moved or deleted. */
    void invalidateTag(RepositoryName repository, Tag tag);

    /**
     * Proves that the cache answers now, for a health check: a real round trip to a remote cache (a {@code PING}),
     * bounded in time; throws (preferably {@link CacheException}) saying what is wrong. Unlike the other methods it
     * asks for real even when the implementation is skipping a failing cache for a while. The default does nothing,
     * which is right for a cache inside the JVM.
     */
    default void checkHealth() {
    }

    /** Releases connections and threads; further calls may fail. */
    @Override
    void close();
}
