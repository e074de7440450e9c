package dev.berth.server;

import dev.berth.registry.Registry;
import dev.berth.registry.servlet.RegistryServlet;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal standalone registry: Jetty 12 on a port (default 5000), filesystem storage in a folder (default
 * {@code ./berth-data}), deletes enabled. The configuration file, TLS and authentication come with the full server.
 *
 * <p>Usage: {@code java -jar registry-server.jar [--port N] [--root DIR]}; {@code BERTH_PORT} and {@code BERTH_ROOT}
 * work too.
 */
public final class BerthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BerthServer.class);

    private final Server server;
    private final Registry registry;
    private final ServerConnector connector;

    private BerthServer(Registry registry, String host, int port) {
        this.registry = registry;
        this.server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder("registry", new RegistryServlet(registry)), "/*");
        server.setHandler(context);
        server.setStopAtShutdown(true);
    }

    /** Starts a server for {@code registry} on {@code host:port} (port 0: any free port). */
    public static BerthServer start(Registry registry, String host, int port) throws Exception {
        BerthServer s = new BerthServer(registry, host, port);
        s.server.start();
        return s;
    }

    /** The port the server listens on. */
    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        registry.close();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv().getOrDefault("BERTH_PORT", "5000"));
        String root = System.getenv().getOrDefault("BERTH_ROOT", "berth-data");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--root" -> root = args[++i];
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar registry-server.jar [--port N] [--root DIR]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
            }
        }
        Path dir = Path.of(root).toAbsolutePath();
        Registry registry = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", dir.toString()))
                .deletesEnabled(true)
                .build();
        BerthServer server = start(registry, "0.0.0.0", port);
        LOG.info("Berth registry listening on http://0.0.0.0:{}/v2/ with filesystem storage in {}", server.port(), dir);
        server.join();
    }
}
