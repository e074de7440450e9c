package dev.berth.server.observe;

import dev.berth.notifications.Endpoint;
import dev.berth.registry.CacheStats;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.servlet.RegistryRoute;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The registry's metrics, kept in a Micrometer {@link PrometheusMeterRegistry} and exposed in the Prometheus text
 * format by {@link #scrape()} (which {@link DebugServer} serves). Fed by {@link ObservingHandler}, one
 * {@link #record} per finished request.
 *
 * <p>Meters, as named in the Prometheus output:
 * <ul>
 *   <li>{@code berth_http_requests_seconds} (timer: {@code _count}, {@code _sum}, {@code _max}) by {@code route},
 *       {@code method}, {@code status}; requests Jetty refuses before any handler (a request line or headers it
 *       cannot parse, over its limits) count here too, under {@code route="other"};
 *   <li>{@code berth_http_received_bytes_total} and {@code berth_http_sent_bytes_total} (request and response content
 *       bytes) by {@code route};
 *   <li>{@code berth_blob_upload_seconds}: requests that complete a blob upload (a POST with {@code digest}, or a PUT on
 *       an upload, answered 201);
 *   <li>{@code berth_blob_pull_seconds}: blob GETs answered 200 or 206;
 *   <li>{@code berth_storage_errors_total} (responses 503, which the registry answers storage failures with) and
 *       {@code berth_http_server_errors_total} (every 5xx) by {@code route};
 *   <li>{@code berth_cache_hits_total}, {@code berth_cache_misses_total} and {@code berth_cache_errors_total}: the
 *       blob-descriptor/tag cache's lookups answered, lookups that went to storage, and cache failures (each one served
 *       from storage instead); all zero without a cache;
 *   <li>{@code berth_notifications_delivered_total}, {@code berth_notifications_dropped_total},
 *       {@code berth_notifications_failed_attempts_total} and {@code berth_notifications_pending} by {@code endpoint}
 *       (the configured name; endpoints are few): events accepted by the endpoint, lost (queue full or shutdown),
 *       POSTs that failed, and events waiting;
 *   <li>{@code berth_http_limit_hits_total} by {@code limit} (one of {@link #LIMITS}): every time a limit of
 *       {@code http.limits} (or the console's sign-in limit) fires; and {@code berth_http_connections_open}, the connections open now;
 *   <li>the JVM's: Micrometer's memory, GC, thread and processor binders under their usual names ({@code jvm_*},
 *       {@code system_cpu_*}, {@code process_cpu_*}), unprefixed so that stock dashboards work.
 * </ul>
 *
 * <p><b>Cardinality is bounded</b>: tags are only the {@link RegistryRoute}, a method out of a fixed set (anything else
 * is {@code OTHER}) and the status code. Repository names, references, digests and upload ids never become tags.
 *
 * <p>Thread-safe. {@link #close()} releases the GC listener and closes the meter registry.
 */
public final class RegistryMetrics implements AutoCloseable {
    /** The content type of {@link #scrape()}: Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS");

    /**
     * The values of the {@code limit} tag of {@code berth_http_limit_hits_total}, each the name of a limit that fires:
     * <ul>
     *   <li>{@code connections}: the server reached {@code maxconnections} and stopped accepting (counted once each
     *       time it is reached, not per client kept waiting);
     *   <li>{@code per_client_connections}: a connection closed at once as its address had
     *       {@code maxconnectionsperclient} open already;
     *   <li>{@code header_timeout}: a connection closed as its first request's headers had not arrived within
     *       {@code headertimeout};
     *   <li>{@code idle_timeout}: nothing moved on a connection for {@code idletimeout}: a stalled request fails, an
     *       idle kept-alive connection is closed (clients that pool connections cause some of these in normal use);
     *   <li>{@code min_request_rate}, {@code min_response_rate}: a body slower than {@code minrequestrate} or
     *       {@code minresponserate} over a {@code rategrace} window, cut off;
     *   <li>{@code body_timeout}: a small body not read within {@code bodytimeout};
     *   <li>{@code body_size}: a body larger than the server accepts;
     *   <li>{@code console_sign_in}: a sign-in on the web console refused with 429 after repeated failures from its
     *       address or for its user name (not a setting of {@code http.limits}: the console's own).
     * </ul>
     */
    public static final List<String> LIMITS = List.of("connections", "per_client_connections", "header_timeout",
            "idle_timeout", "min_request_rate", "min_response_rate", "body_timeout", "body_size", "console_sign_in");

    /**
     * Makes the meter registry and the meters that exist from the start: on the first use of these metrics (a
     * request's completion, a limit that fires, a scrape), not in the constructor, as Micrometer and the Prometheus
     * client (some 300 classes) took a tenth of the server's start, and no request waits for them.
     */
    private final FutureTask<PrometheusMeterRegistry> setup;
    /** The registry once {@link #setup} made it, else null: the fast way to it. */
    private volatile PrometheusMeterRegistry registry;
    /** What {@code bind...} asked for before {@link #setup} ran; it applies them. Guarded by itself. */
    private final List<Consumer<PrometheusMeterRegistry>> pendingBindings = new ArrayList<>();
    /** The counters of {@link #LIMITS}, made by {@link #setup}. */
    private volatile Map<String, Counter> limitHits;
    /**
     * Binds the JVM binders, once: not with the meters, as the binders (MXBeans, GC notifications) took a good part of
     * the server's start and no request needs them. {@link #bindJvmMetricsInBackground()} runs them on a thread of
     * their own (the server calls it once it listens, when Prometheus is scraped); whatever reads the meters
     * ({@link #scrape()}, {@link #meterRegistry()}) runs them first or waits for them, so nothing can see the registry
     * without them.
     */
    private final FutureTask<JvmGcMetrics> jvmBinders;
    /** Whether {@link #jvmBinders} was started (or, by {@link #close()}, ruled out). */
    private final AtomicBoolean jvmBindersStarted = new AtomicBoolean();

    /**
     * Metrics in a new Prometheus registry, made when they are first used; the JVM binders are bound when the meters
     * are first read, or by {@link #bindJvmMetricsInBackground()}.
     */
    public RegistryMetrics() {
        this(() -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Metrics in {@code registry} (an embedder's own, say), with the JVM binders bound to it (on a thread of their
     * own, started here). Closing these metrics closes the registry.
     */
    public RegistryMetrics(PrometheusMeterRegistry registry) {
        this(supplierOf(Objects.requireNonNull(registry, "registry")));
        registry();
        bindJvmMetricsInBackground();
    }

    private RegistryMetrics(Supplier<PrometheusMeterRegistry> newRegistry) {
        this.setup = new FutureTask<>(() -> setUp(newRegistry.get()));
        this.jvmBinders = new FutureTask<>(() -> {
            PrometheusMeterRegistry r = registry();
            new JvmMemoryMetrics().bindTo(r);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(r);
            new JvmThreadMetrics().bindTo(r);
            new ProcessorMetrics().bindTo(r);
            return gc;
        });
    }

    private static Supplier<PrometheusMeterRegistry> supplierOf(PrometheusMeterRegistry registry) {
        return () -> registry;
    }

    private PrometheusMeterRegistry setUp(PrometheusMeterRegistry r) {
        // Series that alerts and dashboards rate() exist from the start at zero, rather than appearing with the first
        // event: an absent series and a quiet one look different in PromQL.
        uploadTimer(r);
        pullTimer(r);
        for (RegistryRoute route : RegistryRoute.values()) {
            storageErrors(r, route);
            serverErrors(r, route);
        }
        Map<String, Counter> hits = new HashMap<>();
        for (String limit : LIMITS) {
            hits.put(limit, Counter.builder("berth.http.limit.hits")
                    .description("limits that fired: connections refused or closed, requests cut off, sign-ins refused")
                    .tag("limit", limit).register(r));
        }
        this.limitHits = Map.copyOf(hits);
        synchronized (pendingBindings) {
            pendingBindings.forEach(b -> b.accept(r));
            pendingBindings.clear();
            this.registry = r;
        }
        return r;
    }

    /** The meter registry, made now if it was not yet (or waited for, while another thread makes it). */
    private PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry r = registry;
        if (r != null) {
            return r;
        }
        setup.run(); // does nothing when the task has started or finished already
        return await(setup, "setting up the metrics");
    }

    /** Applies {@code binding} to the registry now, if there is one, else when it is made. */
    private void bind(Consumer<PrometheusMeterRegistry> binding) {
        synchronized (pendingBindings) {
            if (registry == null) {
                pendingBindings.add(binding);
                return;
            }
        }
        binding.accept(registry);
    }

    /**
     * Counts one firing of a limit, by its name in {@link #LIMITS}. The set is fixed so that the tag's cardinality
     * stays bounded: any other name is an {@link IllegalArgumentException}, a programming error.
     */
    public void limitHit(String limit) {
        if (!LIMITS.contains(limit)) {
            throw new IllegalArgumentException("'" + limit + "' is not a limit; the limits are " + LIMITS);
        }
        registry();
        limitHits.get(limit).increment();
    }

    /** Exposes the number of open connections ({@code berth_http_connections_open}), read at each scrape. */
    public void bindOpenConnections(IntSupplier open) {
        Objects.requireNonNull(open, "open");
        bind(r -> Gauge.builder("berth.http.connections.open", open, IntSupplier::getAsInt)
                .description("connections open to the registry's port").strongReference(true).register(r));
    }

    /** Exposes a registry's cache counters ({@link dev.berth.registry.Registry#cacheStats()}). */
    public void bindCache(Supplier<CacheStats> stats) {
        Objects.requireNonNull(stats, "stats");
        bind(r -> {
            FunctionCounter.builder("berth.cache.hits", stats, s -> s.get().hits())
                    .description("cache lookups answered by the cache").register(r);
            FunctionCounter.builder("berth.cache.misses", stats, s -> s.get().misses())
                    .description("cache lookups that went to storage").register(r);
            FunctionCounter.builder("berth.cache.errors", stats, s -> s.get().errors())
                    .description("cache failures, each served from storage instead").register(r);
        });
    }

    /** Exposes the delivery statistics of notification endpoints, tagged with each endpoint's name. */
    public void bindNotifications(List<Endpoint> endpoints) {
        List<Endpoint> copy = List.copyOf(endpoints);
        bind(r -> bindNotifications(r, copy));
    }

    private static void bindNotifications(PrometheusMeterRegistry registry, List<Endpoint> endpoints) {
        for (Endpoint e : endpoints) {
            Tags tag = Tags.of("endpoint", e.name());
            FunctionCounter.builder("berth.notifications.delivered", e,
                    x -> x.stats().delivered()).tags(tag).description("events the endpoint accepted")
                    .register(registry);
            FunctionCounter.builder("berth.notifications.dropped", e,
                    x -> x.stats().dropped()).tags(tag).description("events lost: queue full, or not sent at"
                            + " shutdown").register(registry);
            FunctionCounter.builder("berth.notifications.failed.attempts", e,
                    x -> x.stats().failedAttempts()).tags(tag).description("POSTs that failed and are retried")
                    .register(registry);
            Gauge.builder("berth.notifications.pending", e, x -> x.stats().pending())
                    .tags(tag).description("events waiting for delivery").register(registry);
        }
    }

    /**
     * A finished garbage collection: {@code berth_gc_runs_total}, {@code berth_gc_duration_seconds}, and (real runs
     * only) {@code berth_gc_deleted_bytes_total}, {@code berth_gc_deleted_blobs_total} and
     * {@code berth_gc_deleted_manifests_total}.
     */
    public void recordGc(GcReport report) {
        PrometheusMeterRegistry registry = registry();
        Counter.builder("berth.gc.runs").description("garbage collections finished")
                .tag("dryrun", String.valueOf(report.dryRun())).register(registry).increment();
        Timer.builder("berth.gc.duration").description("how long garbage collections took").register(registry)
                .record(report.duration());
        if (!report.dryRun()) {
            Counter.builder("berth.gc.deleted").baseUnit("bytes").description("bytes freed by garbage collection")
                    .register(registry).increment(report.bytesFreed());
            Counter.builder("berth.gc.deleted.blobs").description("blobs deleted by garbage collection")
                    .register(registry).increment(report.blobsDeleted().size());
            Counter.builder("berth.gc.deleted.manifests").description("manifests deleted by garbage collection")
                    .register(registry).increment(report.manifestsDeleted().size());
        }
    }

    /** A garbage collection that failed (storage unavailable): {@code berth_gc_failures_total}. */
    public void recordGcFailure() {
        Counter.builder("berth.gc.failures").description("garbage collections that failed").register(registry())
                .increment();
    }

    /** The Micrometer registry, for adding meters of one's own. */
    public PrometheusMeterRegistry meterRegistry() {
        jvmBinders();
        return registry();
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        jvmBinders();
        return registry().scrape();
    }

    /**
     * Binds the JVM metrics on a thread of their own, unless that has started already: after this, a scrape finds
     * them ready, and GC pauses are counted from now on.
     */
    public void bindJvmMetricsInBackground() {
        if (jvmBindersStarted.compareAndSet(false, true)) {
            Thread binder = new Thread(jvmBinders, "berth-metrics-jvm");
            binder.setDaemon(true);
            binder.start();
        }
    }

    /** Waits for {@link #jvmBinders}, running them here if no thread has started them yet. */
    private JvmGcMetrics jvmBinders() {
        jvmBindersStarted.set(true);
        jvmBinders.run(); // does nothing when the task has started or finished already
        return await(jvmBinders, "binding the JVM metrics");
    }

    /** The result of {@code task}, waited for without giving up on an interrupt (which is kept for the caller). */
    private static <T> T await(FutureTask<T> task, String what) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException("the metrics are closed", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counts and times one finished request. */
    private record RequestKey(RegistryRoute route, String method, int status) {
    }

    private final ConcurrentMap<RequestKey, Timer> requestTimers =
            new ConcurrentHashMap<>();

    private final ConcurrentMap<RegistryRoute, Counter> received =
            new ConcurrentHashMap<>();
    private final ConcurrentMap<RegistryRoute, Counter> sent =
            new ConcurrentHashMap<>();

    public void record(ObservedRequest request) {
        PrometheusMeterRegistry registry = registry();
        RegistryRoute route = request.route();
        String method = method(request.method());
        int status = request.status();
        Tags routeTag = Tags.of("route", route.tag());
        long nanos = Math.max(0, request.durationNanos());

        // Looked up once per (route, method, status): building the meter's id on every request costs more than the
        // recording itself. The key set is small, as methods and statuses are bounded.
        requestTimers.computeIfAbsent(new RequestKey(route, method, status), k -> Timer.builder("berth.http.requests")
                .description("HTTP requests to the registry, by route, method and status")
                .tags(routeTag).tag("method", method).tag("status", Integer.toString(status))
                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (request.bytesReceived() > 0) {
            received.computeIfAbsent(route, r -> bytes(registry, "berth.http.received.bytes",
                    "request content bytes read", routeTag)).increment(request.bytesReceived());
        }
        if (request.bytesSent() > 0) {
            sent.computeIfAbsent(route, r -> bytes(registry, "berth.http.sent.bytes",
                    "response content bytes written", routeTag)).increment(request.bytesSent());
        }
        if (completesUpload(request, route, method)) {
            uploadTimer(registry).record(nanos, TimeUnit.NANOSECONDS);
        }
        if (route == RegistryRoute.BLOB && method.equals("GET") && (status == 200 || status == 206)) {
            pullTimer(registry).record(nanos, TimeUnit.NANOSECONDS);
        }
        if (status == 503) {
            storageErrors(registry, route).increment();
        }
        if (status >= 500 && status <= 599) {
            serverErrors(registry, route).increment();
        }
    }

    private static Timer uploadTimer(PrometheusMeterRegistry registry) {
        return Timer.builder("berth.blob.upload")
                .description("requests that complete a blob upload (monolithic POST or final PUT), answered 201")
                .register(registry);
    }

    private static Timer pullTimer(PrometheusMeterRegistry registry) {
        return Timer.builder("berth.blob.pull").description("blob downloads answered 200 or 206").register(registry);
    }

    private static Counter storageErrors(PrometheusMeterRegistry registry,
            RegistryRoute route) {
        return Counter.builder("berth.storage.errors")
                .description("responses 503: the registry's answer to a failing storage")
                .tag("route", route.tag()).register(registry);
    }

    private static Counter serverErrors(PrometheusMeterRegistry registry, RegistryRoute route) {
        return Counter.builder("berth.http.server.errors").description("responses with a 5xx status")
                .tag("route", route.tag()).register(registry);
    }

    private static boolean completesUpload(ObservedRequest request, RegistryRoute route, String method) {
        if (request.status() != 201) {
            return false;
        }
        // A POST with a mount parameter also answers 201, but moves no bytes: only the digest makes it a push.
        return (route == RegistryRoute.UPLOAD_START && method.equals("POST") && request.hasQueryParameter("digest"))
                || (route == RegistryRoute.UPLOAD && method.equals("PUT"));
    }

    private static Counter bytes(PrometheusMeterRegistry registry, String name, String description,
            Tags tags) {
        return Counter.builder(name).baseUnit("bytes").description(description).tags(tags).register(registry);
    }

    /** The method as a tag: one of a fixed set, so that a client inventing methods cannot add series. */
    static String method(String method) {
        String upper = method.toUpperCase(Locale.ROOT);
        return METHODS.contains(upper) ? upper : "OTHER";
    }

    @Override
    public void close() {
        if (jvmBindersStarted.compareAndSet(false, true)) {
            jvmBinders.cancel(false); // never started, and now never will: nothing to release
        } else if (!jvmBinders.isCancelled()) { // cancelled: by an earlier close
            jvmBinders().close();
        }
        if (!setup.cancel(false)) { // made (or failed): close it; never made: now it never will be
            PrometheusMeterRegistry r = registry;
            if (r != null) {
                r.close();
            }
        }
    }
}
