package dev.berth.server.observe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debug port (distribution's {@code http.debug}): a small Jetty {@link Server} of its own, on its own address,
 * serving
 * <ul>
 *   <li>{@code GET /debug/health}: the state of each named health check, as JSON, with 503 when a check of
 *       {@link Severity#FAILURE} fails and 200 otherwise (a failing {@link Severity#WARNING} check is reported, not
 *       fatal):
 *       <pre>{@code
 * {"status":"failing","checks":{"storage":{"status":"ok"},"cache":{"status":"failing","error":"..."},
 *  "upstream:docker.io":{"status":"warning","error":"..."}}}
 * }</pre>
 *       The top-level {@code status} is {@code ok}, {@code warning} (200) or {@code failing} (503); a check that
 *       throws, or does not answer within {@value #CHECK_TIMEOUT_SECONDS} seconds, has failed. The checks run at
 *       once, each on a thread of its own, so the answer takes as long as the slowest, not their sum;
 *   <li>{@code GET <prometheus path>} (default {@value #DEFAULT_METRICS_PATH}) with {@link RegistryMetrics#scrape()},
 *       when metrics are given;
 *   <li>404 for anything else, 405 for another method on those paths.
 * </ul>
 *
 * <p>A separate server rather than a second connector on the registry's: it binds where the operator says (usually
 * {@code localhost:5001}) without any chance of the registry's handlers, TLS or authentication applying to it or of
 * its paths leaking onto the public port; its own small thread pool keeps it answering when the registry's pool is
 * saturated, which is when a health check or a scrape matters most; and it starts and stops on its own.
 *
 * <pre>{@code
 * RegistryMetrics metrics = new RegistryMetrics();
 * DebugServer debug = DebugServer.builder()
 *         .address("localhost", 5001)
 *         .check("storage", HealthChecks.storage(registry))
 *         .warning("upstream:docker.io", HealthChecks.upstream(registry, "docker.io"))
 *         .metrics(metrics, "/metrics")               // omit when prometheus is disabled
 *         .start();
 * }</pre>
 *
 * A check that blocks holds a thread of this server's own, never the registry's. Thread-safe.
 */
public final class DebugServer implements AutoCloseable {
    public static final String HEALTH_PATH = "/debug/health";
    public static final String DEFAULT_METRICS_PATH = "/metrics";
    /** How long {@value #HEALTH_PATH} waits for a check (the registry's own checks are bounded well below this). */
    public static final long CHECK_TIMEOUT_SECONDS = 10;

    /** What a failing check does to the answer. */
    public enum Severity {
        /** The replica cannot serve: 503, so a load balancer stops sending it traffic. */
        FAILURE,
        /** Worth knowing, yet the replica serves (a pull-through upstream is down: local content still is): 200. */
        WARNING
    }

    /** A named health check: empty when healthy, else what is wrong. */
    record Check(String name, Severity severity, Supplier<Optional<String>> check) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DebugServer.class);

    private final Server server;
    private final ServerConnector connector;

    private DebugServer(Builder b) {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("berth-debug");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(b.host);
        connector.setPort(b.port);
        server.addConnector(connector);
        server.setHandler(new DebugHandler(List.copyOf(b.checks.values()), b.metrics, b.metricsPath));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port listened on (the actual one when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Stops the server. Does not close the metrics: they belong to whoever made them.
     *
     * @throws IllegalStateException when Jetty fails to stop (the cause says why)
     */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the interrupt for the caller; the stop goes on in Jetty
        } catch (Exception e) {
            throw new IllegalStateException("the debug server did not stop cleanly", e);
        }
    }

    /** Configures and starts a {@link DebugServer}. */
    public static final class Builder {
        private String host = "localhost";
        private int port = 5001;
        private final Map<String, Check> checks = new LinkedHashMap<>();
        private RegistryMetrics metrics;
        private String metricsPath = DEFAULT_METRICS_PATH;

        private Builder() {
        }

        /** Where to listen (default {@code localhost:5001}, as distribution); port 0 takes any free port. */
        public Builder address(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /**
         * A check whose failure makes {@value #HEALTH_PATH} answer 503 ({@link Severity#FAILURE}): {@code check}
         * returns empty when healthy, else what is wrong. Shown under {@code name}, in the order added. Without any
         * check the endpoint answers 200.
         */
        public Builder check(String name, Supplier<Optional<String>> check) {
            return add(name, Severity.FAILURE, check);
        }

        /** A check whose failure is reported as a warning, with 200 ({@link Severity#WARNING}). */
        public Builder warning(String name, Supplier<Optional<String>> check) {
            return add(name, Severity.WARNING, check);
        }

        private Builder add(String name, Severity severity, Supplier<Optional<String>> check) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || checks.containsKey(name)) {
                throw new IllegalArgumentException("a health check needs a name of its own: '" + name + "'");
            }
            checks.put(name, new Check(name, severity, Objects.requireNonNull(check, "check")));
            return this;
        }

        /** Serve {@code metrics} at {@value #DEFAULT_METRICS_PATH}. Without this call no metrics are served. */
        public Builder metrics(RegistryMetrics metrics) {
            return metrics(metrics, DEFAULT_METRICS_PATH);
        }

        /** Serve {@code metrics} at {@code path} (distribution's {@code http.debug.prometheus.path}). */
        public Builder metrics(RegistryMetrics metrics, String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || path.equals(HEALTH_PATH)) {
                throw new IllegalArgumentException("the metrics path must start with '/' and not be " + HEALTH_PATH
                        + ": " + path);
            }
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            this.metricsPath = path;
            return this;
        }

        /** Builds the server and starts it; it listens when this returns. */
        public DebugServer start() throws Exception {
            DebugServer s = new DebugServer(this);
            try {
                s.server.start();
            } catch (Exception e) {
                s.server.stop();
                throw e;
            }
            return s;
        }
    }

    /** Where checks run: daemons, so that a check that never returns does not keep the JVM alive. */
    private static final ExecutorService CHECKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "berth-debug-check");
        t.setDaemon(true);
        return t;
    });

    /** The two endpoints, on Jetty's core API: no servlet machinery is needed for this. */
    private static final class DebugHandler extends Handler.Abstract {
        private final List<Check> checks;
        private final RegistryMetrics metrics;
        private final String metricsPath;
        /** The last state of each check, to log its changes. */
        private final Map<String, String> lastState = new ConcurrentHashMap<>();

        DebugHandler(List<Check> checks, RegistryMetrics metrics, String metricsPath) {
            super(InvocationType.BLOCKING); // the health check and the scrape may block
            this.checks = checks;
            this.metrics = metrics;
            this.metricsPath = metricsPath;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            boolean health = path.equals(HEALTH_PATH);
            boolean scrape = metrics != null && path.equals(metricsPath);
            if (!health && !scrape) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            boolean head = HttpMethod.HEAD.is(request.getMethod());
            if (!head && !HttpMethod.GET.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                Response.writeError(request, response, callback, 405);
                return true;
            }
            if (health) {
                Map<Check, Optional<String>> results = runChecks();
                boolean failing = false;
                boolean warning = false;
                StringBuilder body = new StringBuilder("{\"checks\":{");
                String separator = "";
                for (Map.Entry<Check, Optional<String>> r : results.entrySet()) {
                    Check c = r.getKey();
                    String state = r.getValue().isEmpty() ? "ok"
                            : c.severity() == Severity.FAILURE ? "failing" : "warning";
                    failing |= state.equals("failing");
                    warning |= state.equals("warning");
                    body.append(separator).append(jsonString(c.name())).append(":{\"status\":\"").append(state)
                            .append('"');
                    r.getValue().ifPresent(e -> body.append(",\"error\":").append(jsonString(e)));
                    body.append('}');
                    separator = ",";
                    logChange(c.name(), state, r.getValue());
                }
                body.append("}}");
                String status = failing ? "failing" : warning ? "warning" : "ok";
                body.insert(1, "\"status\":\"" + status + "\",");
                response.setStatus(failing ? 503 : 200);
                send(response, callback, "application/json", body.toString(), head);
            } else {
                send(response, callback, RegistryMetrics.CONTENT_TYPE, metrics.scrape(), head);
            }
            return true;
        }

        /** Every check's result, in their order; the checks run at once, and each may take the common timeout. */
        private Map<Check, Optional<String>> runChecks() {
            Map<Check, CompletableFuture<Optional<String>>> running = new LinkedHashMap<>();
            for (Check c : checks) {
                running.put(c, CompletableFuture.supplyAsync(() -> check(c), CHECKS));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHECK_TIMEOUT_SECONDS);
            Map<Check, Optional<String>> results = new LinkedHashMap<>();
            for (Map.Entry<Check, CompletableFuture<Optional<String>>> r : running.entrySet()) {
                Optional<String> result;
                try {
                    result = r.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    result = Optional.of("did not answer within " + CHECK_TIMEOUT_SECONDS + " s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result = Optional.of("interrupted");
                } catch (ExecutionException e) {
                    result = Optional.of(HealthChecks.describe(e.getCause())); // check() catches all but Errors
                }
                results.put(r.getKey(), result);
            }
            return results;
        }

        private static Optional<String> check(Check c) {
            try {
                Optional<String> problem = c.check().get();
                // Masked here too: a check of an embedder's own may put a URL with a password in its message.
                return problem == null ? Optional.of("the health check returned null")
                        : problem.map(HealthChecks::mask);
            } catch (RuntimeException e) {
                // A check that throws is a check that failed, not a server error: the status must say so.
                return Optional.of(HealthChecks.describe(e));
            }
        }

        /** Logs a check that changes state (not every poll: a load balancer polls every few seconds). */
        private void logChange(String name, String state, Optional<String> error) {
            String before = lastState.put(name, state);
            if (state.equals(before) || before == null && state.equals("ok")) {
                return;
            }
            if (state.equals("ok")) {
                LOG.info("health check {}: ok again", name);
            } else {
                LOG.warn("health check {}: {}: {}", name, state, error.orElse(""));
            }
        }

        private static void send(Response response, Callback callback, String type, String body, boolean head) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, head ? null : ByteBuffer.wrap(bytes), callback);
        }
    }

    /** {@code s} as a JSON string literal. */
    static String jsonString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
