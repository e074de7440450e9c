package dev.berth.registry.internal.cache;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's view of the configured cache (or of none): every call is fenced so that a cache failure is a miss
 * (or a skipped fill or invalidation), counted and logged at most once a minute, never an exception for the caller.
 * Thread-safe.
 */
public final class GuardedCache {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedCache.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final BlobDescriptorCache cache;
    private final boolean owned;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong errorsAtLastLog = new AtomicLong();

    /** {@code cache} may be null (no cache); {@code owned}: closing the registry closes it. */
    public GuardedCache(BlobDescriptorCache cache, boolean owned) {
        this.cache = cache;
        this.owned = owned;
    }

    public boolean enabled() {
        return cache != null;
    }

    /** Lookups the cache answered. */
    public long hits() {
        return hits.sum();
    }

    /** Lookups that went to storage. */
    public long misses() {
        return misses.sum();
    }

    /** Calls that failed (and were served from storage instead). */
    public long errors() {
        return errors.sum();
    }

    public Optional<Descriptor> blob(Digest digest) {
        return lookup(() -> cache.blob(digest).filter(d -> d.digest().equals(digest)));
    }

    public void fillBlob(Descriptor d) {
        run(() -> cache.fillBlob(d));
    }

    public void invalidateBlob(Digest digest) {
        run(() -> cache.invalidateBlob(digest));
    }

    public boolean isLinked(RepositoryName repository, Digest digest) {
        return lookup(() -> cache.isLinked(repository, digest) ? Optional.of(Boolean.TRUE) : Optional.<Boolean>empty())
                .isPresent();
    }

    public Optional<Descriptor> linkedBlob(RepositoryName repository, Digest digest) {
        return lookup(() -> cache.linkedBlob(repository, digest).filter(d -> d.digest().equals(digest)));
    }

    public void fillLink(RepositoryName repository, Digest digest) {
        run(() -> cache.fillLink(repository, digest));
    }

    public void invalidateLink(RepositoryName repository, Digest digest) {
        run(() -> cache.invalidateLink(repository, digest));
    }

    public Optional<Digest> tag(RepositoryName repository, Tag tag) {
        return lookup(() -> cache.tag(repository, tag));
    }

    public void fillTag(RepositoryName repository, Tag tag, Digest digest) {
        run(() -> cache.fillTag(repository, tag, digest));
    }

    public void invalidateTag(RepositoryName repository, Tag tag) {
        run(() -> cache.invalidateTag(repository, tag));
    }

    /**
     * The cache's own health check, unguarded: its failure is thrown, not counted (it is not a request's miss). Does
     * nothing without a cache.
     */
    public void checkHealth() {
        if (cache != null) {
            cache.checkHealth();
        }
    }

    public void close() {
        if (cache != null && owned) {
            run(cache::close);
        }
    }

    private <T> Optional<T> lookup(Supplier<Optional<T>> call) {
        if (cache == null) {
            return Optional.empty();
        }
        try {
            Optional<T> found = call.get();
            if (found == null) {
                found = Optional.empty();
            }
            (found.isPresent() ? hits : misses).increment();
            return found;
        } catch (RuntimeException e) {
            failed(e);
            misses.increment();
            return Optional.empty();
        }
    }

    private void run(Runnable call) {
        if (cache == null) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        errors.increment();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            long total = errors.sum();
            long since = total - errorsAtLastLog.getAndSet(total);
            LOG.warn("cache {} failed ({} failure(s) since the last report, {} in all); serving from storage: {}",
                    cache.getClass().getSimpleName(), since, total, e.toString());
        }
    }
}
