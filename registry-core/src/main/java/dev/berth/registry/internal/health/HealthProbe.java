package dev.berth.registry.internal.health;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * One dependency's health check as a health endpoint polls it: the result is kept for {@code cacheFor}, so that many
 * pollers (several load balancers, a liveness and a readiness probe) cost one real check per period; a check runs on
 * a thread of its own and the caller waits at most {@code timeout} for it, so that a dependency that hangs (a dead
 * NFS mount, a black-holed address) makes the check fail in bounded time instead of hanging the endpoint; and at most
 * one check of a dependency runs at a time, so that a hanging one does not pile threads up: callers that come while
 * it runs wait for the same run. A check that outlives its caller's wait is reported as a failure for
 * {@code cacheFor}, and its own result, when it comes, replaces that.
 *
 * <p>Thread-safe.
 */
public final class HealthProbe {
    /** The check itself: returns when healthy, throws saying what is wrong. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private final String name;
    private final Check check;
    private final long cacheForNanos;
    private final Duration timeout;
    private final LongSupplier nanoTime;

    /** The last result: null when healthy, else the failure. Valid while {@code now - checkedAt < cacheFor}. */
    private Exception last;
    private long checkedAt;
    private boolean checked;
    private CompletableFuture<Exception> running;

    /**
     * @param name     what is checked, for the thread's name and the timeout's message ({@code storage driver 's3'})
     * @param check    the real check
     * @param cacheFor how long a result is served without checking again (zero: every call checks)
     * @param timeout  how long a caller waits for a check
     * @param nanoTime the time source ({@link System#nanoTime} but in tests)
     */
    public HealthProbe(String name, Check check, Duration cacheFor, Duration timeout, LongSupplier nanoTime) {
        this.name = Objects.requireNonNull(name, "name");
        this.check = Objects.requireNonNull(check, "check");
        if (cacheFor.isNegative()) {
            throw new IllegalArgumentException("cacheFor must not be negative: " + cacheFor);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.cacheForNanos = cacheFor.toNanos();
        this.timeout = timeout;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** The dependency's state: empty when healthy, else the failure (the check's exception, or a timeout). */
    public Optional<Exception> check() {
        CompletableFuture<Exception> run;
        synchronized (this) {
            if (checked && nanoTime.getAsLong() - checkedAt < cacheForNanos) {
                return Optional.ofNullable(last);
            }
            if (running == null) {
                running = start();
            }
            run = running;
        }
        try {
            return Optional.ofNullable(run.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            Exception late = new TimeoutException(name + " did not answer within " + timeout.toMillis() + " ms");
            synchronized (this) {
                if (running == run) { // still hanging: answer the next callers at once, until it ends
                    remember(late);
                }
            }
            return Optional.of(late);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(e);
        } catch (ExecutionException e) {
            return Optional.of(e); // cannot happen: the run catches everything
        }
    }

    private CompletableFuture<Exception> start() {
        CompletableFuture<Exception> run = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            Exception result = null;
            try {
                check.run();
            } catch (Exception e) {
                result = e;
            } catch (Error e) { // still a result: a run that never completes would stop every later check
                result = new IllegalStateException(e.toString(), e);
            }
            synchronized (this) {
                running = null;
                remember(result);
            }
            run.complete(result);
        }, "berth-health-" + name);
        t.setDaemon(true);
        t.start();
        return run;
    }

    private void remember(Exception result) {
        last = result;
        checkedAt = nanoTime.getAsLong();
        checked = true;
    }
}
