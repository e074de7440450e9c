package dev.berth.registry.servlet;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the servlet's asynchronous transfers (blob downloads and uploads, small bodies) and cuts off those that are
 * slower than their limits allow. A transfer holds no thread while it waits for its client, so nothing else would
 * ever notice one that trickles a byte a second. One daemon thread for the whole JVM checks every open transfer once
 * a second; it costs nothing while none is open.
 */
final class Transfers {
    private static final Logger LOG = LoggerFactory.getLogger(Transfers.class);
    static final Transfers WATCH = new Transfers();

    private final Set<Transfer> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-transfer-watch");
        t.setDaemon(true);
        return t;
    });

    private Transfers() {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void add(Transfer t) {
        open.add(t);
    }

    void remove(Transfer t) {
        open.remove(t);
    }

    /** Transfers open now (for tests and metrics). */
    int openCount() {
        return open.size();
    }

    private void tick() {
        long now = System.nanoTime();
        MappedBlobs.SHARED.expire(now);
        for (Transfer t : open) {
            try {
                String limit = t.check(now);
                if (limit != null) {
                    open.remove(t);
                    t.cut(limit);
                }
            } catch (RuntimeException e) {
                LOG.warn("cutting off a slow transfer failed", e);
            }
        }
    }

    /**
     * One transfer: counts its bytes, and says when it broke its limit. The bytes are counted by whichever thread
     * moves them; the window is only touched by the watch.
     */
    abstract static class Transfer {
        private final long minRate;
        private final long windowNanos;
        private final long deadline;
        private final String rateLimit;
        private final AtomicLong bytes = new AtomicLong();
        private long windowStart;
        private long windowStartBytes;

        /**
         * @param minRate   bytes per second to keep up on average over each window (0: no minimum)
         * @param window    the window's length in nanoseconds
         * @param timeout   nanoseconds the whole transfer may take (0: no deadline)
         * @param rateLimit the name a rate cut is reported by
         */
        Transfer(long minRate, long window, long timeout, String rateLimit) {
            this.minRate = minRate;
            this.windowNanos = window;
            this.rateLimit = rateLimit;
            this.windowStart = System.nanoTime();
            this.deadline = timeout > 0 ? windowStart + timeout : 0;
        }

        final void moved(long n) {
            bytes.addAndGet(n);
        }

        /** The limit broken as of {@code now}, or null. */
        final String check(long now) {
            if (deadline != 0 && now - deadline > 0) {
                return "body_timeout";
            }
            if (minRate > 0 && now - windowStart >= windowNanos) {
                long moved = bytes.get() - windowStartBytes;
                double needed = minRate * ((now - windowStart) / 1e9);
                if (moved < needed) {
                    return rateLimit;
                }
                windowStart = now;
                windowStartBytes = bytes.get();
            }
            return null;
        }

        /** Ends the transfer because it broke {@code limit}. Called on the watch thread: must not wait for a client. */
        abstract void cut(String limit);
    }
}
