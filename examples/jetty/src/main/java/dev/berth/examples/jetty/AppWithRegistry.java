package dev.berth.examples.jetty;

import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.registry.servlet.ServletOptions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * An application that carries a registry: its own servlet at {@code /hello} and {@link RegistryServlet} at
 * {@code /v2/*}, in one Jetty 12 context, sharing one {@link Registry} object.
 *
 * <p>Why {@code /v2/*} of the root context and not a context of its own at {@code /registry}: the servlet answers
 * {@code <context path>/v2/...} (it takes the request URI minus the context path), and Docker clients (docker, jib,
 * skopeo) only ever ask {@code host/v2/...}: an image reference has no room for a path prefix. A registry that only
 * plain HTTP clients use can live in its own context instead (see the tomcat example, which runs at {@code /registry}).
 *
 * <p>Behind an {@link AccessGuard} (see {@link #start(Path, String, int, AccessGuard)}) the registry asks the
 * application's choice of authenticator who is calling and its access rules what they may do; the application's own
 * servlets are not affected.
 *
 * <p>Usage: {@code AppWithRegistry [port] [storage folder]} (defaults 8080 and {@code ./berth-data}).
 */
public final class AppWithRegistry implements AutoCloseable {
    private final Registry registry;
    private final Server jetty = new Server();
    private final ServerConnector connector = new ServerConnector(jetty);

    private AppWithRegistry(Registry registry, String host, int port, AccessGuard guard) {
        this.registry = registry;
        connector.setHost(host);
        connector.setPort(port);
        jetty.addConnector(connector);

        ServletContextHandler app = new ServletContextHandler("/");
        app.addServlet(new ServletHolder("hello", new HelloServlet(registry)), "/hello");
        ServletHolder servlet = new ServletHolder("registry", new RegistryServlet(registry, ServletOptions.DEFAULTS,
                guard));
        servlet.setAsyncSupported(true); // blob bodies then move without holding a thread per slow client
        app.addServlet(servlet, "/v2/*");
        jetty.setHandler(app);
    }

    /** Starts the application on {@code host:port} (0: a free port); {@link #close()} stops it and the registry. */
    public static AppWithRegistry start(Path storage, String host, int port) throws Exception {
        return start(storage, host, port, AccessGuard.OPEN);
    }

    /**
     * As {@link #start(Path, String, int)}, with the registry behind {@code guard}, e.g.
     * {@code new AccessGuard(new HtpasswdAuthenticator("app", htpasswdFile), AccessRules.parse(rules))}.
     */
    public static AppWithRegistry start(Path storage, String host, int port, AccessGuard guard) throws Exception {
        Registry registry = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", storage.toAbsolutePath().toString()))
                .build();
        AppWithRegistry app = new AppWithRegistry(registry, host, port, guard);
        try {
            app.jetty.start();
        } catch (Exception e) {
            app.close();
            throw e;
        }
        return app;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The registry the application serves, for its own code to use directly. */
    public Registry registry() {
        return registry;
    }

    @Override
    public void close() throws IOException {
        try {
            LifeCycle.stop(jetty); // Jetty's stop() throws Exception; this rethrows it unchecked
        } finally {
            registry.close();
        }
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path data = Path.of(args.length > 1 ? args[1] : "berth-data");
        AppWithRegistry app = start(data, "0.0.0.0", port);
        System.out.println("app on http://localhost:" + app.port() + "/hello, registry on localhost:" + app.port());
        app.jetty.join();
    }

    /** The application's own servlet: it reads the same registry the clients push to, with no HTTP in between. */
    static final class HelloServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Registry registry;

        HelloServlet(Registry registry) {
            this.registry = registry;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=utf-8");
            response.getOutputStream().write(("hello from the app; images here: "
                    + registry.catalog().stream().map(RepositoryName::value).toList() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}
