package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MaintenanceTest {
    @Test
    void runsATaskAfterItsDelayAndThenEveryInterval() throws Exception {
        try (Maintenance m = new Maintenance()) {
            CountDownLatch threeRuns = new CountDownLatch(3);
            long start = System.nanoTime();
            m.schedule("counting", Duration.ofMillis(100), Duration.ofMillis(20), threeRuns::countDown);
            assertThat(threeRuns.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(m.tasks()).containsExactly("counting");
        }
    }

    @Test
    void aTaskThatThrowsRunsAgainAtItsNextTime() throws Exception {
        try (Maintenance m = new Maintenance()) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch thirdRun = new CountDownLatch(1);
            m.schedule("failing", Duration.ZERO, Duration.ofMillis(10), () -> {
                if (runs.incrementAndGet() >= 3) {
                    thirdRun.countDown();
                }
                throw new IllegalStateException("storage is down");
            });
            CountDownLatch other = new CountDownLatch(2);
            m.schedule("healthy", Duration.ZERO, Duration.ofMillis(10), other::countDown);
            assertThat(thirdRun.await(30, TimeUnit.SECONDS)).as("the failing task kept running").isTrue();
            assertThat(other.await(30, TimeUnit.SECONDS)).as("the other task kept running").isTrue();
        }
    }

    @Test
    void closeStopsTheScheduleAndWaitsForARunInProgress() throws Exception {
        Maintenance m = new Maintenance(Duration.ofSeconds(30));
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        m.schedule("slow", Duration.ZERO, Duration.ofMillis(10), () -> {
            runs.incrementAndGet();
            running.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            finished.incrementAndGet();
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        // The run ends only once close has begun: close must wait for it.
        Thread releaser = new Thread(() -> {
            try {
                while (!m.isClosed()) {
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        releaser.setDaemon(true);
        releaser.start();
        m.close();
        releaser.join();
        assertThat(m.isClosed()).isTrue();
        assertThat(finished.get()).as("the run in progress finished before close returned").isEqualTo(runs.get());
        int after = runs.get();
        Thread.sleep(100); // a negative, so a bounded wait: runs 10 ms apart would show in it
        assertThat(runs.get()).as("no run after close").isEqualTo(after);
        assertThatThrownBy(() -> m.schedule("late", Duration.ZERO, Duration.ofSeconds(1), () -> { }))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeInterruptsARunThatDoesNotFinishInTime() throws Exception {
        Maintenance m = new Maintenance(Duration.ofMillis(100));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        m.schedule("stuck", Duration.ZERO, Duration.ofSeconds(1), () -> {
            running.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        m.close();
        // Twice the close wait (100 ms) and a loaded machine's delays; a close that waited for the run takes 60 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void refusesANegativeDelayOrAnIntervalThatIsNotPositive() {
        try (Maintenance m = new Maintenance()) {
            assertThatThrownBy(() -> m.schedule("x", Duration.ofSeconds(-1), Duration.ofSeconds(1), () -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.schedule("x", Duration.ZERO, Duration.ZERO, () -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(m.tasks()).isEmpty();
        }
    }
}
