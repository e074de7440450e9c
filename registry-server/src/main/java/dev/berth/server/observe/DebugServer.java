package dev.berth.server.observe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
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
 *   <li>{@code GET /debug/health}: 200 {@code {"status":"ok"}} when the health check passes, 503
 *       {@code {"status":"unhealthy","problem":"..."}} when it reports a problem or throws;
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
 *         .healthCheck(HealthChecks.storage(registry))
 *         .metrics(metrics, "/metrics")               // omit when prometheus is disabled
 *         .start();
 * }</pre>
 *
 * Each request to {@code /debug/health} runs the check on the request's thread: a check that blocks holds one of this
 * server's threads, not the registry's. Thread-safe.
 */
public final class DebugServer implements AutoCloseable {
    public static final String HEALTH_PATH = "/debug/health";
    public static final String DEFAULT_METRICS_PATH = "/metrics";

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
        server.setHandler(new DebugHandler(b.healthCheck, b.metrics, b.metricsPath));
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
        private Supplier<Optional<String>> healthCheck = Optional::empty;
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

        /** What {@value #HEALTH_PATH} reports: empty when healthy, else the problem. Default: always healthy. */
        public Builder healthCheck(Supplier<Optional<String>> check) {
            this.healthCheck = Objects.requireNonNull(check, "check");
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

    /** The two endpoints, on Jetty's core API: no servlet machinery is needed for this. */
    private static final class DebugHandler extends Handler.Abstract {
        private final Supplier<Optional<String>> healthCheck;
        private final RegistryMetrics metrics;
        private final String metricsPath;

        DebugHandler(Supplier<Optional<String>> healthCheck, RegistryMetrics metrics, String metricsPath) {
            super(InvocationType.BLOCKING); // the health check and the scrape may block
            this.healthCheck = healthCheck;
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
                Optional<String> problem = check();
                response.setStatus(problem.isEmpty() ? 200 : 503);
                String body = problem.map(p -> "{\"status\":\"unhealthy\",\"problem\":" + jsonString(p) + "}")
                        .orElse("{\"status\":\"ok\"}");
                send(response, callback, "application/json", body, head);
            } else {
                send(response, callback, RegistryMetrics.CONTENT_TYPE, metrics.scrape(), head);
            }
            return true;
        }

        private Optional<String> check() {
            try {
                Optional<String> problem = healthCheck.get();
                return problem == null ? Optional.of("the health check returned null") : problem;
            } catch (RuntimeException e) {
                // A check that throws is a check that failed, not a server error: the status must say unhealthy.
                LOG.warn("health check failed: {}", e.toString());
                return Optional.of(HealthChecks.describe(e));
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
