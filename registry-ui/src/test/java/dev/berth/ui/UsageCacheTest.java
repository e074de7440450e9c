package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.RepositoryName;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class UsageCacheTest {
    static final RepositoryName APP = RepositoryName.parse("app");
    final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
    final AtomicInteger reads = new AtomicInteger();
    final Function<RepositoryName, UsageCache.Entry> compute = name -> {
        reads.incrementAndGet();
        return new UsageCache.Entry(Map.of(), reads.get(), 1, null, clock.instant());
    };

    @Test
    void readsARepositoryOnceUntilItChanges() {
        UsageCache cache = new UsageCache(compute, Duration.ofMinutes(5), clock);
        assertThat(cache.get(APP).bytes()).isEqualTo(1);
        assertThat(cache.get(APP).bytes()).isEqualTo(1);
        assertThat(reads).hasValue(1);

        cache.invalidate(APP);
        assertThat(cache.get(APP).bytes()).isEqualTo(2);
        assertThat(cache.get(RepositoryName.parse("other")).bytes()).isEqualTo(3);
        assertThat(cache.get(APP).bytes()).isEqualTo(2);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void readsAgainOnceAnEntryIsMaxAgeOld() {
        UsageCache cache = new UsageCache(compute, Duration.ofMinutes(5), clock);
        cache.get(APP);
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(cache.get(APP).bytes()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get(APP).bytes()).isEqualTo(2);
    }

    @Test
    void aChangeWhileARepositoryIsReadIsNotHiddenByWhatWasRead() {
        UsageCache[] cache = new UsageCache[1];
        cache[0] = new UsageCache(name -> {
            UsageCache.Entry e = compute.apply(name);
            if (reads.get() == 1) {
                cache[0].invalidate(name); // a push lands while the first read is under way
            }
            return e;
        }, Duration.ofMinutes(5), clock);
        assertThat(cache[0].get(APP).bytes()).isEqualTo(1);
        assertThat(cache[0].get(APP).bytes()).as("read again: the first may predate the push").isEqualTo(2);
        assertThat(cache[0].get(APP).bytes()).isEqualTo(2);
    }

    @Test
    void zeroMaxAgeKeepsNothing() {
        UsageCache cache = new UsageCache(compute, Duration.ZERO, clock);
        cache.get(APP);
        cache.get(APP);
        assertThat(reads).hasValue(2);
        assertThat(cache.size()).isZero();
    }
}
