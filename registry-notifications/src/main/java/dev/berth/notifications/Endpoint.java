package dev.berth.notifications;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.events.RegistryEvent;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to one webhook: a bounded in-memory queue and one delivery thread that POSTs what is queued, in
 * envelopes of up to {@value #MAX_BATCH} events, until the endpoint accepts it (any 2xx or 3xx answer). After
 * {@link EndpointConfig#threshold()} consecutive failures every further attempt waits {@link EndpointConfig#backoff()}
 * (distribution's breaker); a success resets the count. Events are retried forever while the endpoint runs: none is
 * lost unless the queue overflows (the oldest go first, counted in {@link Stats#dropped()}) or the endpoint is closed
 * before they went out.
 *
 * <p>{@link #offer} never blocks and never does I/O, so an endpoint that is down or hangs never slows a request.
 * Failures are logged at most once a minute per endpoint; header values are never logged. Thread-safe.
 */
public final class Endpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
    /** The most events one envelope holds. */
    public static final int MAX_BATCH = 100;
    /** How long {@link #close()} keeps delivering what is queued. */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(2);
    static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final EndpointConfig config;
    private final HttpClient client;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<RegistryEvent> queue = new ArrayDeque<>();
    private final Thread thread;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private volatile boolean closing;
    private volatile long drainDeadline = Long.MAX_VALUE;
    private int consecutiveFailures; // delivery thread only
    private long lastFailureLog = System.nanoTime() - LOG_INTERVAL_NANOS;
    private long failuresSinceLog;
    private long lastDropLog = System.nanoTime() - LOG_INTERVAL_NANOS;
    private long dropsSinceLog; // guarded by lock

    /** What an endpoint did so far. */
    public record Stats(String name, int pending, long delivered, long dropped, long failedAttempts, long ignored) {
    }

    private Endpoint(EndpointConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.thread = new Thread(this::run, "berth-notify-" + config.name());
        thread.setDaemon(true);
    }

    /** Starts delivering to the endpoint {@code config} describes. */
    public static Endpoint start(EndpointConfig config) {
        if (config.disabled()) {
            throw new IllegalArgumentException("endpoint " + config.name() + " is disabled");
        }
        Endpoint e = new Endpoint(config);
        e.thread.start();
        return e;
    }

    /** What this endpoint was started with. */
    public EndpointConfig config() {
        return config;
    }

    /** The configured name. */
    public String name() {
        return config.name();
    }

    /**
     * Queues an event unless the endpoint ignores it or is closing; when the queue is full the oldest queued event
     * is dropped to make room. Returns at once.
     *
     * @return whether the event was queued
     */
    public boolean offer(RegistryEvent event) {
        if (config.ignores(event)) {
            ignored.incrementAndGet();
            return false;
        }
        boolean logDrop = false;
        long drops = 0;
        lock.lock();
        try {
            if (closing) {
                dropped.incrementAndGet();
                return false;
            }
            if (queue.size() >= config.queueSize()) {
                queue.pollFirst();
                dropped.incrementAndGet();
                dropsSinceLog++;
                long now = System.nanoTime();
                if (now - lastDropLog >= LOG_INTERVAL_NANOS) {
                    lastDropLog = now;
                    logDrop = true;
                    drops = dropsSinceLog;
                    dropsSinceLog = 0;
                }
            }
            queue.addLast(event);
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (logDrop) {
            LOG.warn("notification endpoint {}: queue full ({} events); dropped the oldest {} event(s) since the last"
                    + " report, {} in all", config.name(), config.queueSize(), drops, dropped.get());
        }
        return true;
    }

    /** The counters so far, and how many events wait. */
    public Stats stats() {
        int pending;
        lock.lock();
        try {
            pending = queue.size();
        } finally {
            lock.unlock();
        }
        return new Stats(config.name(), pending, delivered.get(), dropped.get(), failedAttempts.get(), ignored.get());
    }

    /** Stops taking events, keeps delivering what is queued for up to {@link #DEFAULT_DRAIN}, then stops. */
    @Override
    public void close() {
        close(DEFAULT_DRAIN);
    }

    /** As {@link #close()}, delivering what is queued for up to {@code drain}. */
    public void close(Duration drain) {
        beginClose(drain);
        awaitClosed();
    }

    /** Stops taking events; delivery goes on until the queue is empty or {@code drain} has passed. */
    void beginClose(Duration drain) {
        lock.lock();
        try {
            if (!closing) {
                drainDeadline = System.nanoTime() + drain.toNanos();
                closing = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the delivery thread to end, cutting short a delivery still in flight at the drain deadline. */
    void awaitClosed() {
        try {
            long wait = Math.max(0, drainDeadline - System.nanoTime());
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
            if (thread.isAlive()) {
                thread.interrupt(); // a POST to an endpoint that hangs
                thread.join(1000);
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
        int left;
        lock.lock();
        try {
            left = queue.size();
            queue.clear();
        } finally {
            lock.unlock();
        }
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.warn("notification endpoint {}: closed with {} event(s) not delivered", config.name(), left);
        }
    }

    private void run() {
        try {
            List<RegistryEvent> batch;
            while ((batch = next()) != null) {
                boolean done;
                try {
                    done = deliver(batch);
                } catch (InterruptedException e) {
                    done = false; // closed while a POST hung
                }
                if (!done) {
                    // Closing, and the endpoint would not take them in time: they count as dropped.
                    dropped.addAndGet(batch.size());
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed while waiting for events
        } catch (RuntimeException e) {
            LOG.error("notification endpoint {}: delivery stopped: {}", config.name(), Failures.describe(e), e);
        }
    }

    /** The next envelope's events; null when closing and nothing is left. */
    private List<RegistryEvent> next() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) {
                    return null;
                }
                changed.await();
            }
            List<RegistryEvent> batch = new ArrayList<>(Math.min(MAX_BATCH, queue.size()));
            while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                batch.add(queue.pollFirst());
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Posts one envelope until accepted; false when closing cut it short. */
    private boolean deliver(List<RegistryEvent> batch) throws InterruptedException {
        byte[] body = EventJson.envelope(batch);
        HttpRequest.Builder builder = HttpRequest.newBuilder(config.url()).timeout(config.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> h : config.headers().entrySet()) {
            for (String v : h.getValue()) {
                builder.header(h.getKey(), v);
            }
        }
        HttpRequest request = builder.setHeader("Content-Type", EventJson.MEDIA_TYPE).build();
        while (true) {
            if (closing && System.nanoTime() - drainDeadline >= 0) {
                return false;
            }
            if (consecutiveFailures >= config.threshold()) {
                if (!pause(config.backoff())) {
                    return false;
                }
            }
            String failure;
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status >= 200 && status < 400) {
                    if (consecutiveFailures > 0) {
                        LOG.info("notification endpoint {}: delivering again after {} failed attempt(s)",
                                config.name(), consecutiveFailures);
                    }
                    consecutiveFailures = 0;
                    delivered.addAndGet(batch.size());
                    return true;
                }
                failure = "answered " + status;
            } catch (IOException e) {
                // HttpClient's messages name the host and the cause, never the request's headers.
                failure = Failures.describe(e);
            } catch (IllegalArgumentException | SecurityException e) {
                failure = Failures.describe(e);
            }
            consecutiveFailures++;
            failedAttempts.incrementAndGet();
            logFailure(batch.size(), failure);
        }
    }

    /** Waits for {@code d}, or until the drain deadline when closing; false when the deadline came first. */
    private boolean pause(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                if (closing && now - drainDeadline >= 0) {
                    return false;
                }
                long left = until - now;
                if (left <= 0) {
                    return true;
                }
                if (closing) {
                    left = Math.min(left, drainDeadline - now);
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void logFailure(int events, String failure) {
        failuresSinceLog++;
        long now = System.nanoTime();
        if (now - lastFailureLog < LOG_INTERVAL_NANOS) {
            return;
        }
        lastFailureLog = now;
        LOG.warn("notification endpoint {} ({}): delivering {} event(s) failed: {}; {} failed attempt(s) since the last"
                + " report, {} in a row; retrying{}", config.name(), config.redactedUrl(), events, failure,
                failuresSinceLog, consecutiveFailures, consecutiveFailures >= config.threshold()
                        ? " every " + config.backoff().toMillis() + "ms" : "");
        failuresSinceLog = 0;
    }

    @Override
    public String toString() {
        return "Endpoint[" + config.name() + " " + config.redactedUrl() + "]";
    }
}
