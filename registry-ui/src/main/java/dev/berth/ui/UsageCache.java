package dev.berth.ui;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What each repository weighs, its tag count and its last push, computed once and kept until the registry reports a
 * change to the repository ({@link #invalidate}, fed by the events the console's {@link Activity} sees) or until it
 * is {@code maxAge} old, which bounds how stale a figure can be when the change came from elsewhere (another replica
 * on the same storage, or a registry whose events the console does not see). Computing one repository reads every
 * manifest its tags reach; without this cache the storage page did so for every repository on every view.
 *
 * <p>Thread-safe. Two views may compute the same repository at once (both results are right; the later wins); a
 * change reported while a repository is computed is never hidden by the result of that computation.
 */
final class UsageCache {

    /**
     * One repository.
     *
     * @param blobs      the blobs (and manifests) its tags reach, with their sizes
     * @param bytes      their sizes added up: each blob once
     * @param tags       how many tags it has
     * @param lastPush   when a tag was last pushed or moved (null when storage does not tell)
     * @param computedAt when this was read from storage
     */
    record Entry(Map<Digest, Long> blobs, long bytes, int tags, Instant lastPush, Instant computedAt) {
        Entry {
            blobs = Map.copyOf(blobs);
        }
    }

    private final Function<RepositoryName, Entry> compute;
    private final Duration maxAge;
    private final Clock clock;
    private final ConcurrentHashMap<RepositoryName, Entry> entries = new ConcurrentHashMap<>();
    /** For each repository, the value of {@link #changes} at its last invalidation. */
    private final ConcurrentHashMap<RepositoryName, Long> invalidated = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();

    /** {@code compute} reads one repository from storage; a zero {@code maxAge} keeps nothing. */
    UsageCache(Function<RepositoryName, Entry> compute, Duration maxAge, Clock clock) {
        this.compute = Objects.requireNonNull(compute, "compute");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    Duration maxAge() {
        return maxAge;
    }

    /** The repository's entry: the one kept if it is fresh, else one computed now (and kept). */
    Entry get(RepositoryName name) {
        Entry kept = entries.get(name);
        if (kept != null && kept.computedAt().plus(maxAge).isAfter(clock.instant())) {
            return kept;
        }
        long before = changes.get();
        Entry fresh = compute.apply(name);
        if (maxAge.isZero()) {
            return fresh;
        }
        entries.put(name, fresh);
        if (invalidated.getOrDefault(name, -1L) > before) {
            // Changed while it was read: what was read may predate the change; the next view reads again.
            entries.remove(name, fresh);
        }
        return fresh;
    }

    /** Forgets what is kept of {@code name}: it changed. */
    void invalidate(RepositoryName name) {
        invalidated.put(name, changes.incrementAndGet());
        entries.remove(name);
    }

    /** How many repositories are kept. */
    int size() {
        return entries.size();
    }
}
