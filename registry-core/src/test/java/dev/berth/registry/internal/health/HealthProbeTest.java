package dev.berth.registry.internal.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthProbeTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void aResultIsServedForItsPeriodWhetherHealthyOrNot() {
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean down = new AtomicBoolean();
        HealthProbe probe = new HealthProbe("dep", () -> {
            runs.incrementAndGet();
            if (down.get()) {
                throw new IOException("down");
            }
        }, Duration.ofSeconds(5), Duration.ofSeconds(10), now::get);

        assertThat(probe.check()).isEmpty();
        down.set(true);
        now.addAndGet(TimeUnit.SECONDS.toNanos(4));
        assertThat(probe.check()).as("still within the period: the healthy result").isEmpty();
        assertThat(runs).hasValue(1);

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(probe.check()).get().extracting(Exception::getMessage).isEqualTo("down");
        down.set(false);
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(probe.check()).as("a failure is served for its period too").isPresent();
        assertThat(runs).hasValue(2);

        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        assertThat(probe.check()).isEmpty();
        assertThat(runs).hasValue(3);
    }

    @Test
    void aCheckThatOutlivesTheWaitFailsAndItsLateResultReplacesTheFailure() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        HealthProbe probe = new HealthProbe("slow", () -> {
            runs.incrementAndGet();
            try {
                release.await();
            } finally {
                ended.countDown();
            }
        }, Duration.ofHours(1), Duration.ofMillis(100), now::get);

        Optional<Exception> timedOut = probe.check();
        assertThat(timedOut).get().extracting(Exception::getMessage)
                .isEqualTo("slow did not answer within 100 ms");
        assertThat(probe.check()).as("served from the period, without waiting again").isPresent();
        release.countDown();
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (probe.check().isPresent()) { // the run records its result just after it ends
            assertThat(System.nanoTime()).isLessThan(deadline);
        }
        assertThat(runs).as("no second run: the late result is the answer").hasValue(1);
    }

    @Test
    void anErrorInACheckIsAFailureAndLaterChecksStillRun() {
        AtomicInteger runs = new AtomicInteger();
        HealthProbe probe = new HealthProbe("broken", () -> {
            if (runs.incrementAndGet() == 1) {
                throw new AssertionError("bug");
            }
        }, Duration.ZERO, Duration.ofSeconds(10), now::get);
        assertThat(probe.check()).get().extracting(Exception::getMessage).asString().contains("bug");
        assertThat(probe.check()).isEmpty();
    }

    @Test
    void refusesNonsenseSettings() {
        assertThatThrownBy(() -> new HealthProbe("x", () -> { }, Duration.ofSeconds(-1), Duration.ofSeconds(1),
                now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HealthProbe("x", () -> { }, Duration.ZERO, Duration.ZERO, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
