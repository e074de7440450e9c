package dev.berth.spring.boot.autoconfigure;

import dev.berth.notifications.Endpoint;
import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.servlet.RegistryRoute;
import dev.berth.registry.servlet.ServletOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Berth's registry metrics in the application's {@link MeterRegistry}, under the names and tags the standalone server
 * gives them ({@code berth.http.requests} by {@code route}, {@code method}, {@code status};
 * {@code berth.http.received.bytes}, {@code berth.http.sent.bytes}; {@code berth.blob.upload},
 * {@code berth.blob.pull}; {@code berth.storage.errors}, {@code berth.http.server.errors};
 * {@code berth.cache.hits}, {@code .misses}, {@code .errors}; {@code berth.notifications.*} by {@code endpoint};
 * {@code berth.http.limit.hits} by {@code limit}). Spring Boot binds it to every meter registry; until then, and
 * without one, what it is told is dropped.
 *
 * <p>Tags are bounded: the route (never a repository name, reference or digest), a method out of a fixed set and the
 * status. Bytes are those the requests' and answers' {@code Content-Length} declare (a chunked upload without one is
 * not counted): measuring the streams would mean wrapping them, which costs the servlet its zero-copy file sends.
 */
public class BerthMetrics implements MeterBinder, ServletOptions.LimitListener {
    /** The values of the {@code limit} tag: the limits the servlet enforces itself. */
    public static final List<String> LIMITS = List.of("min_request_rate", "min_response_rate", "body_timeout",
            "body_size");

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS");

    private final Registry registry;
    private final Notifier notifier;
    private volatile MeterRegistry meters;

    /** @param notifier the notifications' endpoints to expose, or null */
    public BerthMetrics(Registry registry, Notifier notifier) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.notifier = notifier;
    }

    @Override
    public void bindTo(MeterRegistry m) {
        // Series that alerts rate() exist from the start, at zero.
        uploadTimer(m);
        pullTimer(m);
        for (RegistryRoute route : RegistryRoute.values()) {
            storageErrors(m, route);
            serverErrors(m, route);
        }
        for (String limit : LIMITS) {
            limitHits(m, limit);
        }
        FunctionCounter.builder("berth.cache.hits", registry, r -> r.cacheStats().hits())
                .description("cache lookups answered by the cache").register(m);
        FunctionCounter.builder("berth.cache.misses", registry, r -> r.cacheStats().misses())
                .description("cache lookups that went to storage").register(m);
        FunctionCounter.builder("berth.cache.errors", registry, r -> r.cacheStats().errors())
                .description("cache failures, each served from storage instead").register(m);
        if (notifier != null) {
            for (Endpoint e : notifier.endpoints()) {
                Tags tag = Tags.of("endpoint", e.name());
                FunctionCounter.builder("berth.notifications.delivered", e, x -> x.stats().delivered()).tags(tag)
                        .description("events the endpoint accepted").register(m);
                FunctionCounter.builder("berth.notifications.dropped", e, x -> x.stats().dropped()).tags(tag)
                        .description("events lost: queue full, or not sent at shutdown").register(m);
                FunctionCounter.builder("berth.notifications.failed.attempts", e, x -> x.stats().failedAttempts())
                        .tags(tag).description("POSTs that failed and are retried").register(m);
                Gauge.builder("berth.notifications.pending", e, x -> x.stats().pending()).tags(tag)
                        .description("events waiting for delivery").register(m);
            }
        }
        // Boot binds every binder to each registry it makes; with several, the composite one is the last.
        this.meters = m;
    }

    @Override
    public void limitHit(String limit) {
        MeterRegistry m = meters;
        if (m != null && LIMITS.contains(limit)) {
            limitHits(m, limit).increment();
        }
    }

    /** One finished request to the registry's servlet. */
    void record(String method, String path, String query, int status, long nanos, long received, long sent) {
        MeterRegistry m = meters;
        if (m == null) {
            return;
        }
        RegistryRoute route = RegistryRoute.classify(path);
        String verb = method(method);
        Timer.builder("berth.http.requests").description("HTTP requests to the registry, by route, method and status")
                .tag("route", route.tag()).tag("method", verb).tag("status", Integer.toString(status)).register(m)
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        if (received > 0) {
            Counter.builder("berth.http.received.bytes").baseUnit("bytes").description("request content bytes read")
                    .tag("route", route.tag()).register(m).increment(received);
        }
        if (sent > 0 && !verb.equals("HEAD")) {
            Counter.builder("berth.http.sent.bytes").baseUnit("bytes").description("response content bytes written")
                    .tag("route", route.tag()).register(m).increment(sent);
        }
        boolean upload = status == 201 && ((route == RegistryRoute.UPLOAD_START && verb.equals("POST")
                && query != null && (query.startsWith("digest=") || query.contains("&digest=")))
                || (route == RegistryRoute.UPLOAD && verb.equals("PUT")));
        if (upload) {
            uploadTimer(m).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
        if (route == RegistryRoute.BLOB && verb.equals("GET") && (status == 200 || status == 206)) {
            pullTimer(m).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
        if (status == 503) {
            storageErrors(m, route).increment();
        }
        if (status >= 500 && status <= 599) {
            serverErrors(m, route).increment();
        }
    }

    private static Timer uploadTimer(MeterRegistry m) {
        return Timer.builder("berth.blob.upload")
                .description("requests that complete a blob upload (monolithic POST or final PUT), answered 201")
                .register(m);
    }

    private static Timer pullTimer(MeterRegistry m) {
        return Timer.builder("berth.blob.pull").description("blob downloads answered 200 or 206").register(m);
    }

    private static Counter storageErrors(MeterRegistry m, RegistryRoute route) {
        return Counter.builder("berth.storage.errors")
                .description("responses 503: the registry's answer to a failing storage")
                .tag("route", route.tag()).register(m);
    }

    private static Counter serverErrors(MeterRegistry m, RegistryRoute route) {
        return Counter.builder("berth.http.server.errors").description("responses with a 5xx status")
                .tag("route", route.tag()).register(m);
    }

    private static Counter limitHits(MeterRegistry m, String limit) {
        return Counter.builder("berth.http.limit.hits")
                .description("limits of berth.http.limits that fired: requests cut off").tag("limit", limit)
                .register(m);
    }

    private static String method(String method) {
        String upper = method.toUpperCase(Locale.ROOT);
        return METHODS.contains(upper) ? upper : "OTHER";
    }
}
