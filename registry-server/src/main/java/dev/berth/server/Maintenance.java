package dev.berth.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's background maintenance: named tasks that run every so often (upload purging; later garbage collection
 * and retention) on one daemon thread. Tasks run one at a time, so that two maintenance walks never compete for
 * storage, and each run starts an interval after the previous one ended (a slow run is never overlapped). A task that
 * throws is logged and runs again at its next time: one bad run never ends the schedule. Closing stops the schedule,
 * lets a run in progress finish for a short while, then interrupts it. Thread-safe.
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    private static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(5);

    private final ScheduledExecutorService executor;
    private final Duration closeWait;
    private final List<String> tasks = new ArrayList<>();

    /** A schedule whose {@link #close} waits up to 5 seconds for a run in progress. */
    public Maintenance() {
        this(DEFAULT_CLOSE_WAIT);
    }

    /** A schedule whose {@link #close} waits up to {@code closeWait} for a run in progress. */
    public Maintenance(Duration closeWait) {
        this.closeWait = Objects.requireNonNull(closeWait, "closeWait");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code task} after {@code initialDelay}, then every {@code interval} after each run ends.
     *
     * @param name what the task is, for the log ("upload purging")
     * @throws IllegalArgumentException when the delay is negative or the interval not positive
     * @throws IllegalStateException    when the schedule is closed
     */
    public void schedule(String name, Duration initialDelay, Duration interval, Runnable task) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        if (initialDelay.isNegative()) {
            throw new IllegalArgumentException(name + ": the initial delay must not be negative: " + initialDelay);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(name + ": the interval must be positive: " + interval);
        }
        try {
            executor.scheduleWithFixedDelay(() -> run(name, task), toMillis(initialDelay), toMillis(interval),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("maintenance is closed; cannot schedule " + name, e);
        }
        synchronized (tasks) {
            tasks.add(name);
        }
        LOG.debug("maintenance: {} scheduled, first in {}, then every {}", name, initialDelay, interval);
    }

    /** The names of the tasks scheduled so far, in order. */
    public List<String> tasks() {
        synchronized (tasks) {
            return List.copyOf(tasks);
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    private static long toMillis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2; // "never", without overflowing the executor's arithmetic
        }
    }

    private static void run(String name, Runnable task) {
        try {
            task.run();
        } catch (VirtualMachineError e) {
            throw e; // out of memory and the like: nothing to log safely
        } catch (Throwable e) {
            // Rethrowing would cancel every later run of this task.
            LOG.warn("maintenance: {} failed; it runs again at its next time: {}", name, e.toString(), e);
        }
    }

    /** Stops the schedule; waits briefly for a run in progress, then interrupts it. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                if (!executor.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("maintenance: a task did not stop within {} of being interrupted", closeWait);
                }
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
