package dev.berth.examples.embedded;

import dev.berth.registry.Registry;
import dev.berth.registry.servlet.RegistryServlet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * A registry served over HTTP from a plain {@code main}: the {@link Registry} is built in code (filesystem storage),
 * and embedded Jetty 12 serves it through {@link RegistryServlet}. This is the whole of what a standalone registry
 * needs; {@code registry-server} adds configuration, TLS and authentication around the same few lines.
 *
 * <p>Usage: {@code EmbeddedServer [port] [storage folder]} (defaults 5000 and {@code ./berth-data}).
 */
public final class EmbeddedServer implements AutoCloseable {
    private final Registry registry;
    private final Server jetty;
    private final ServerConnector connector;

    private EmbeddedServer(Registry registry, String host, int port) {
        this.registry = registry;
        this.jetty = new Server();
        this.connector = new ServerConnector(jetty);
        connector.setHost(host);
        connector.setPort(port);
        jetty.addConnector(connector);

        // The servlet answers <context path>/v2/...; at the root context that is the /v2/ every client expects.
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder servlet = new ServletHolder("registry", new RegistryServlet(registry));
        servlet.setAsyncSupported(true); // blob bodies then move without holding a thread per slow client
        context.addServlet(servlet, "/*");
        jetty.setHandler(context);
    }

    /**
     * Serves {@code registry} on {@code host:port} (port 0 picks a free one) until {@link #close()}, which also
     * closes the registry.
     */
    public static EmbeddedServer start(Registry registry, String host, int port) throws Exception {
        EmbeddedServer server = new EmbeddedServer(registry, host, port);
        try {
            server.jetty.start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** A registry over filesystem storage in {@code folder}, in distribution's layout. */
    public static Registry filesystemRegistry(Path folder) {
        return Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", folder.toAbsolutePath().toString()))
                .build();
    }

    /** The port the server listens on. */
    public int port() {
        return connector.getLocalPort();
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
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Path data = Path.of(args.length > 1 ? args[1] : "berth-data").toAbsolutePath();
        EmbeddedServer server = start(filesystemRegistry(data), "0.0.0.0", port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        System.out.println("Berth registry on http://localhost:" + server.port() + "/v2/ storing in " + data);
        server.jetty.join();
    }
}
