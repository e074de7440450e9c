package dev.berth.registry.cache.inmemory;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code inmemory} cache: one bounded Guava cache per JVM, entries expiring {@code ttl} after they were filled.
 * Thread-safe.
 *
 * <p>It is right for one registry instance (or several in one JVM sharing this object). Replicas in several JVMs
 * each have their own, and an invalidation on one is not seen by the others: the {@code ttl} then bounds how long
 * a replica may serve a tag or blob link another replica deleted. Use {@code redis} for replicas.
 */
public final class InMemoryBlobDescriptorCache implements BlobDescriptorCache {
    /** How long an invalidation keeps racing fills out by default (see the SPI's contract). */
    public static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(2);

    private final Cache<String, Entry> entries;
    private final Ticker ticker;
    private final long tombstoneNanos;

    /** A value, or a tombstone (value null) that turns fills away until {@code until} (ticker nanos). */
    private record Entry(Object value, long until) {
    }

    public InMemoryBlobDescriptorCache(long maxEntries, Duration ttl) {
        this(maxEntries, ttl, DEFAULT_TOMBSTONE, Ticker.systemTicker());
    }

    /**
     * {@code tombstone}: how long after an invalidation fills are ignored (a read that began before a write must not
     * put the old value back); reads of that key go to storage meanwhile.
     */
    public InMemoryBlobDescriptorCache(long maxEntries, Duration ttl, Duration tombstone) {
        this(maxEntries, ttl, tombstone, Ticker.systemTicker());
    }

    InMemoryBlobDescriptorCache(long maxEntries, Duration ttl, Duration tombstone, Ticker ticker) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("size must be at least 1: " + maxEntries);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        this.ticker = ticker;
        this.tombstoneNanos = tombstone.toNanos();
        this.entries = CacheBuilder.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).ticker(ticker).build();
    }

    @Override
    public Optional<Descriptor> blob(Digest digest) {
        return get(blobKey(digest)).map(Descriptor.class::cast);
    }

    @Override
    public void fillBlob(Descriptor descriptor) {
        fill(blobKey(descriptor.digest()), descriptor);
    }

    @Override
    public void invalidateBlob(Digest digest) {
        invalidate(blobKey(digest));
    }

    @Override
    public boolean isLinked(RepositoryName repository, Digest digest) {
        return get(linkKey(repository, digest)).isPresent();
    }

    @Override
    public void fillLink(RepositoryName repository, Digest digest) {
        fill(linkKey(repository, digest), Boolean.TRUE);
    }

    @Override
    public void invalidateLink(RepositoryName repository, Digest digest) {
        invalidate(linkKey(repository, digest));
    }

    @Override
    public Optional<Digest> tag(RepositoryName repository, Tag tag) {
        return get(tagKey(repository, tag)).map(Digest.class::cast);
    }

    @Override
    public void fillTag(RepositoryName repository, Tag tag, Digest digest) {
        fill(tagKey(repository, tag), Objects.requireNonNull(digest, "digest"));
    }

    @Override
    public void invalidateTag(RepositoryName repository, Tag tag) {
        invalidate(tagKey(repository, tag));
    }

    /** Entries held now, tombstones included. */
    public long size() {
        return entries.size();
    }

    @Override
    public void close() {
        entries.invalidateAll();
    }

    private Optional<Object> get(String key) {
        Entry e = entries.getIfPresent(key);
        return e == null ? Optional.empty() : Optional.ofNullable(e.value());
    }

    private void fill(String key, Object value) {
        long now = ticker.read();
        entries.asMap().compute(key, (k, old) ->
                old != null && old.value() == null && now - old.until() < 0 ? old : new Entry(value, 0));
    }

    private void invalidate(String key) {
        entries.put(key, new Entry(null, ticker.read() + tombstoneNanos));
    }

    private static String blobKey(Digest d) {
        return "blob:" + d;
    }

    private static String linkKey(RepositoryName r, Digest d) {
        return "repo:" + r.value() + ":blob:" + d;
    }

    private static String tagKey(RepositoryName r, Tag t) {
        return "tag:" + r.value() + ":" + t.value();
    }
}
