package dev.berth.cache.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * After {@code threshold} failures in a row, says "skip" for {@code coolDown}; then lets calls through again, and the
 * first failure after that opens it anew (the count is still at the threshold), the first success closes it.
 * Thread-safe.
 */
final class CircuitBreaker {
    private final int threshold;
    private final long coolDownNanos;
    private final LongSupplier nanoTime;
    private final AtomicInteger failures = new AtomicInteger();
    private volatile long openUntil;
    private volatile boolean open;

    CircuitBreaker(int threshold, Duration coolDown, LongSupplier nanoTime) {
        this.threshold = threshold;
        this.coolDownNanos = coolDown.toNanos();
        this.nanoTime = nanoTime;
    }

    /** False while open. */
    boolean allow() {
        return !open || nanoTime.getAsLong() - openUntil >= 0;
    }

    boolean isOpen() {
        return !allow();
    }

    void success() {
        if (failures.get() != 0) {
            failures.set(0);
        }
        open = false;
    }

    /** Records a failure; true when this one opened the breaker. */
    boolean failure() {
        if (failures.incrementAndGet() >= threshold) {
            openUntil = nanoTime.getAsLong() + coolDownNanos;
            boolean wasOpen = open;
            open = true;
            return !wasOpen;
        }
        return false;
    }
}
