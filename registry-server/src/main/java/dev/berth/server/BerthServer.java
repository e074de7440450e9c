package dev.berth.server;

import dev.berth.auth.token.TokenServlet;
import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.server.config.ServerConfig;
import dev.berth.server.limits.LimitedConnector;
import dev.berth.server.observe.AccessLog;
import dev.berth.server.observe.DebugServer;
import dev.berth.server.observe.HealthChecks;
import dev.berth.server.observe.ObservingHandler;
import dev.berth.server.observe.RegistryMetrics;
import dev.berth.server.tls.TlsConnectors;
import dev.berth.ui.Activity;
import dev.berth.ui.ConsoleServlet;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone registry: a {@link Registry} served by {@link RegistryServlet} in an embedded Jetty 12. Stopping it
 * (also from the JVM's shutdown hook, on SIGTERM) first stops accepting connections, then lets requests in flight
 * finish for up to the drain timeout, then closes the registry. An upload cut off after that stays resumable.
 * Background maintenance ({@link #maintenance()}: upload purging) stops first.
 *
 * <p>Connections are held to {@code http.limits} by a {@link LimitedConnector}, and requests run on virtual threads
 * where {@code http.threads} and the runtime allow, so that thousands of slow transfers at once neither exhaust a
 * thread pool nor shut out other clients. Every limit that fires is counted in {@link #metrics()}.
 */
public final class BerthServer implements AutoCloseable {
    /** Bytes Jetty reads from a connection at once. */
    static final int INPUT_BUFFER = 64 << 10;
    private static final Logger LOG = LoggerFactory.getLogger(BerthServer.class);
    /** The platform pool's bound: with virtual threads it runs only Jetty's own work. */
    private static final int PLATFORM_THREADS = 200;

    private final Server server;
    private final Registry registry;
    private final LimitedConnector connector;
    private final String scheme;
    /** The address bound to and the context path, for {@link #url()}. */
    private final String bindHost;
    private final String prefix;
    private final RegistryMetrics metrics;
    private final ServerSecurity security;
    private final Notifier notifier;
    private final Maintenance maintenance = new Maintenance();
    private DebugServer debug;
    private String debugHost;

    private BerthServer(Registry registry, ServerConfig.Http http, ServletOptions options, boolean accessLog,
            ServerSecurity security, Notifier notifier, ServerConfig.Ui ui, Activity activity) {
        // First, as it may refuse the configuration: nothing needs closing yet.
        QueuedThreadPool threads = threadPool(http.threads());
        this.security = security;
        this.notifier = notifier;
        this.registry = registry;
        this.metrics = new RegistryMetrics();
        metrics.bindCache(registry::cacheStats);
        if (notifier != null) {
            metrics.bindNotifications(notifier.endpoints());
        }
        this.server = new Server(threads);
        this.bindHost = http.bindHost();
        this.prefix = http.prefix();
        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false);
        httpConfig.setSendXPoweredBy(false);
        // Each connection builds a cache of header fields this large: at Jetty's 1024 it held about 100 KB per
        // uploading connection (a fifth of the heap with a thousand slow uploads); 128 keeps the common fields.
        httpConfig.setHeaderCacheSize(128);
        ConnectionFactory[] factories;
        if (http.tls().isPresent()) {
            factories = TlsConnectors.connectionFactories(httpConfig, http.tls().get(), http.http2());
            this.scheme = "https";
        } else {
            factories = new ConnectionFactory[] {new HttpConnectionFactory(httpConfig)};
            this.scheme = "http";
        }
        for (ConnectionFactory f : factories) {
            if (f instanceof HttpConnectionFactory h1) {
                // A blob body read without blocking comes in as many callbacks as buffer fills: Jetty's default of
                // 8 KiB made an asynchronous push several times slower than a large buffer does.
                h1.setInputBufferSize(INPUT_BUFFER);
            }
        }
        this.connector = new LimitedConnector(server, http.limits(), metrics::limitHit, factories);
        connector.setHost(http.bindHost());
        connector.setPort(http.port());
        server.addConnector(connector);
        metrics.bindOpenConnections(connector::openConnections);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(http.prefix().isEmpty() ? "/" : http.prefix());
        // What Jetty refuses itself gets the registry's JSON error body, not an HTML page.
        ContainerErrorHandler errors = new ContainerErrorHandler(http.headers());
        context.setErrorHandler(errors);
        ServerConfig.Limits limits = http.limits();
        ServletOptions limited = options.withLimits(new ServletOptions.Limits(limits.minRequestRate(),
                limits.minResponseRate(), limits.rateGrace(), limits.bodyTimeout(), metrics::limitHit));
        ServletHolder registryHolder = new ServletHolder("registry", new RegistryServlet(registry, limited,
                security.guard()));
        // Blob bodies move without holding a thread. (-Dberth.blocking=true turns that off, only to measure what the
        // asynchronous I/O brings against threads alone: see benchmarks/compare.sh.)
        registryHolder.setAsyncSupported(!Boolean.getBoolean("berth.blocking"));
        context.addServlet(registryHolder, "/*");
        if (ui.enabled()) {
            // Below the registry's "/*": the longest mapping wins, so the console's path goes to the console.
            ConsoleServlet.Builder console = ConsoleServlet.builder(registry).guard(security.guard())
                    .passwords(security.passwords()).onSignInLimited(() -> metrics.limitHit("console_sign_in"));
            if (activity != null) {
                console.activity(activity);
            }
            context.addServlet(new ServletHolder("console", console.build()), ui.path() + "/*");
        }
        security.tokenEndpoint().ifPresent(servlet -> {
            ServletHolder token = new ServletHolder("token", servlet instanceof TokenServlet t
                    ? t.withLimits(limits.bodyTimeout(), metrics::limitHit) : servlet);
            token.setAsyncSupported(true); // the form of a POST is read without holding a thread
            context.addServlet(token, ServerSecurity.TOKEN_PATH);
        });
        Handler.Wrapper graceful = new GracefulHandler();
        Handler.Wrapper tracker = connector.requestTracker();
        ObservingHandler observing = new ObservingHandler(metrics, accessLog ? AccessLog.slf4j() : line -> { },
                context);
        tracker.setHandler(observing);
        server.setErrorHandler(errors.observedBy(observing)); // what Jetty refuses before any handler counts too
        graceful.setHandler(tracker);
        server.setHandler(graceful);
        server.setStopTimeout(http.drainTimeout().toMillis());
    }

    /**
     * Request handling on virtual threads when {@code threads} says so and the runtime has them (Java 21+): a request
     * blocked on storage or on a slow client then holds no platform thread. Jetty's selectors and its non-blocking
     * work stay on the bounded platform pool either way.
     */
    private static QueuedThreadPool threadPool(ServerConfig.Threads threads) {
        int java = Runtime.version().feature();
        QueuedThreadPool pool = new QueuedThreadPool(PLATFORM_THREADS, 8);
        pool.setName("berth-http");
        if (threads.virtualOn(java)) {
            // VirtualThreads reaches Thread.ofVirtual() by reflection, so this compiles for Java 17.
            Executor virtual = VirtualThreads.getNamedVirtualThreadsExecutor("berth-request-");
            if (virtual == null) {
                throw new IllegalStateException("http.threads: this Java " + java + " runtime has no virtual threads");
            }
            pool.setVirtualThreadsExecutor(virtual);
            LOG.info("requests run on virtual threads (http.threads: {}, Java {})",
                    threads.name().toLowerCase(Locale.ROOT), java);
        } else {
            LOG.info("requests run on platform threads, at most {} (http.threads: {}, Java {})", PLATFORM_THREADS,
                    threads.name().toLowerCase(Locale.ROOT), java);
        }
        return pool;
    }

    /**
     * Starts a server for {@code registry} on {@code host:port} (port 0: any free port), with default settings: the
     * default {@code http.limits} and thread model included.
     */
    public static BerthServer start(Registry registry, String host, int port) throws Exception {
        return start(registry, new ServerConfig.Http(host, port, "", Optional.empty(), false, Map.of(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(10), true, ServerConfig.Limits.DEFAULTS,
                ServerConfig.Threads.AUTO), ServletOptions.DEFAULTS, true);
    }

    /**
     * Starts a server for {@code registry} with the {@code http} section of a configuration: the registry's port,
     * and the debug port (health, and Prometheus metrics when enabled) when {@code http.debug.addr} is set.
     */
    public static BerthServer start(Registry registry, ServerConfig.Http http, ServletOptions options,
            boolean accessLog) throws Exception {
        return start(registry, http, options, accessLog, ServerSecurity.OPEN);
    }

    /** As {@link #start(Registry, ServerConfig.Http, ServletOptions, boolean)}, behind an access check. */
    public static BerthServer start(Registry registry, ServerConfig.Http http, ServletOptions options,
            boolean accessLog, ServerSecurity security) throws Exception {
        return start(registry, http, options, accessLog, security, null);
    }

    /**
     * As {@link #start(Registry, ServerConfig.Http, ServletOptions, boolean, ServerSecurity)}, owning the notifier
     * that {@code options} report events to (null: none): closing the server closes it once requests in flight are
     * done, so their events still go out.
     */
    public static BerthServer start(Registry registry, ServerConfig.Http http, ServletOptions options,
            boolean accessLog, ServerSecurity security, Notifier notifier) throws Exception {
        return start(registry, http, options, accessLog, security, notifier,
                new ServerConfig.Ui(false, ServerConfig.Ui.DEFAULT.path(), 1), null);
    }

    /**
     * As {@link #start(Registry, ServerConfig.Http, ServletOptions, boolean, ServerSecurity, Notifier)}, serving the
     * web console as {@code ui} says, with the recent events of {@code activity} (null: none; give the same buffer
     * to the registry's events).
     */
    public static BerthServer start(Registry registry, ServerConfig.Http http, ServletOptions options,
            boolean accessLog, ServerSecurity security, Notifier notifier, ServerConfig.Ui ui, Activity activity)
            throws Exception {
        BerthServer s = new BerthServer(registry, http, options, accessLog, security, notifier, ui, activity);
        try {
            s.server.start();
            if (http.debug().isPresent()) {
                ServerConfig.Debug d = http.debug().get();
                DebugServer.Builder b = HealthChecks.addTo(DebugServer.builder().address(d.host(), d.port()),
                        registry);
                if (d.prometheus()) {
                    b.metrics(s.metrics, d.prometheusPath());
                }
                s.debug = b.start();
                s.debugHost = d.host();
                if (d.prometheus()) {
                    // Not before: the first requests need none of them. Without Prometheus, whoever reads the
                    // metrics (an embedder, a test) binds them on its first read.
                    s.metrics.bindJvmMetricsInBackground();
                }
            }
        } catch (Exception e) {
            s.maintenance.close();
            s.server.stop();
            if (s.debug != null) {
                s.debug.close();
            }
            throw e;
        }
        return s;
    }

    /** The port the server listens on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The debug server's port, when there is one. */
    public Optional<Integer> debugPort() {
        return Optional.ofNullable(debug).map(DebugServer::port);
    }

    /** Whether requests are handled on virtual threads (see {@link ServerConfig.Threads}). */
    public boolean virtualThreads() {
        return VirtualThreads.isUseVirtualThreads(server.getThreadPool());
    }

    /**
     * The registry's base URL at the address it is bound to, e.g. {@code https://registry.local:5443/v2/}; an IPv6
     * address in brackets, as a URL needs it ({@code https://[::1]:5443/v2/}). For the startup line and for tests: a
     * server bound to every interface ({@code 0.0.0.0}) is named so here, not by a name clients can use.
     */
    public String url() {
        return scheme + "://" + Urls.hostPort(bindHost, port()) + prefix + "/v2/";
    }

    /** The debug server's health URL ({@code http://localhost:5001/debug/health}), when there is a debug server. */
    public Optional<String> debugUrl() {
        return debugPort().map(p -> "http://" + Urls.hostPort(debugHost, p) + "/debug/health");
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    public Registry registry() {
        return registry;
    }

    /** The notifier events go to, when notifications are configured. */
    public Optional<Notifier> notifier() {
        return Optional.ofNullable(notifier);
    }

    /** The server's metrics (scraped on the debug port when Prometheus is enabled). */
    public RegistryMetrics metrics() {
        return metrics;
    }

    /** The server's background tasks (upload purging, garbage collection); they stop when the server does. */
    public Maintenance maintenance() {
        return maintenance;
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws IOException {
        try {
            maintenance.close(); // no purge may start against a registry that is closing
            stop(server);
        } finally {
            try {
                if (notifier != null) {
                    notifier.close(); // after the last request, so that its events are queued; drains briefly
                }
                if (debug != null) {
                    debug.close();
                }
                metrics.close();
            } finally {
                try {
                    security.close();
                } finally {
                    registry.close();
                }
            }
        }
    }
    /** Stops Jetty, with the checked exceptions {@link AutoCloseable#close()} should not throw turned into I/O ones. */
    private static void stop(Server server) throws IOException {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping the server");
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("stopping the server failed: " + e, e);
        }
    }
}
