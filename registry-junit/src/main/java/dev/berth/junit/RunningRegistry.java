package dev.berth.junit;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.berth.auth.htpasswd.HtpasswdAuthenticator;
import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.registry.servlet.ServletOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * One registry that {@link BerthRegistryExtension} started: the {@link Registry}, Jetty serving it on a loopback
 * port, and what was made for it (a temporary folder, an htpasswd file, a CA). {@link #stop()} stops and removes
 * everything it made, in the reverse order, and leaves a folder the test handed in where it is.
 */
final class RunningRegistry {
    private static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();
    /** bcrypt's lowest cost: a test's password protects nothing, and cost 10 would take ~70 ms per user. */
    private static final int BCRYPT_COST = 4;

    private final Registry registry;
    private final RegistryEndpoint endpoint;
    private final Optional<Path> storageFolder;
    private final Duration startTime;
    private final Deque<AutoCloseable> resources;

    private RunningRegistry(Registry registry, RegistryEndpoint endpoint, Optional<Path> storageFolder,
            Duration startTime, Deque<AutoCloseable> resources) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.storageFolder = storageFolder;
        this.startTime = startTime;
        this.resources = resources;
    }

    static RunningRegistry start(BerthRegistryExtension.Settings settings) throws Exception {
        long started = System.nanoTime();
        Deque<AutoCloseable> resources = new ArrayDeque<>(); // closed last-made first
        try {
            Path work = null;
            if (settings.temporaryFolder() || !settings.users().isEmpty() || settings.tls()) {
                Path dir = Files.createTempDirectory("berth-junit-");
                resources.push(() -> deleteTree(dir));
                work = dir;
            }
            Optional<Path> folder = settings.temporaryFolder()
                    ? Optional.of(Files.createDirectory(work.resolve("storage")))
                    : settings.folder();
            Registry.Builder builder = Registry.builder();
            if (folder.isPresent()) {
                builder.storage("filesystem", Map.of("rootdirectory", folder.get().toString()));
            } else {
                builder.storage("inmemory", Map.of());
            }
            settings.upstreams().forEach(upstream -> builder.upstream(upstream.get()));
            settings.customizer().accept(builder);
            Registry registry = builder.build();
            resources.push(registry);

            AccessGuard guard = AccessGuard.OPEN;
            if (!settings.users().isEmpty()) {
                Path htpasswd = writeHtpasswd(work.resolve("htpasswd"), settings.users());
                guard = AccessGuard.of(new HtpasswdAuthenticator(HtpasswdAuthenticator.DEFAULT_REALM, htpasswd));
                resources.push(guard);
            }
            GeneratedCa ca = settings.tls() ? GeneratedCa.create(work) : null;

            Server server = new Server();
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector;
            if (ca != null) {
                SslContextFactory.Server tls = new SslContextFactory.Server();
                tls.setKeyStore(ca.serverKeyStore());
                tls.setKeyStorePassword(new String(GeneratedCa.keyStorePassword()));
                http.addCustomizer(new SecureRequestCustomizer(false)); // clients connect by IP: no SNI to check
                connector = new ServerConnector(server, tls, new HttpConnectionFactory(http));
            } else {
                connector = new ServerConnector(server, new HttpConnectionFactory(http));
            }
            connector.setHost(HOST);
            connector.setPort(0);
            server.addConnector(connector);
            ServletHolder servlet = new ServletHolder("registry",
                    new RegistryServlet(registry, ServletOptions.DEFAULTS, guard));
            servlet.setAsyncSupported(true);
            ServletContextHandler context = new ServletContextHandler("/");
            context.addServlet(servlet, "/*");
            server.setHandler(context);
            resources.push(server::stop);
            server.start(); // returns once the connector is bound and accepting

            Map.Entry<String, String> user = settings.users().entrySet().stream().findFirst().orElse(null);
            RegistryEndpoint endpoint = new RegistryEndpoint(ca != null ? "https" : "http", HOST,
                    connector.getLocalPort(), Optional.ofNullable(user).map(Map.Entry::getKey),
                    Optional.ofNullable(user).map(Map.Entry::getValue),
                    ca != null ? Optional.of(ca.clientContext()) : Optional.empty(),
                    ca != null ? Optional.of(ca.caFile()) : Optional.empty());
            return new RunningRegistry(registry, endpoint, folder, Duration.ofNanos(System.nanoTime() - started),
                    resources);
        } catch (Exception | Error e) {
            Exception cleanup = closeAll(resources);
            if (cleanup != null) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    Registry registry() {
        return registry;
    }

    RegistryEndpoint endpoint() {
        return endpoint;
    }

    Optional<Path> storageFolder() {
        return storageFolder;
    }

    Duration startTime() {
        return startTime;
    }

    void stop() throws Exception {
        Exception failure = closeAll(resources);
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes every resource even when one fails; returns the first failure, the others suppressed in it. */
    private static Exception closeAll(Deque<AutoCloseable> resources) {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }

    private static Path writeHtpasswd(Path file, Map<String, String> users) throws IOException {
        StringBuilder lines = new StringBuilder();
        users.forEach((name, password) -> lines.append(name).append(':')
                .append(BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(BCRYPT_COST, password.toCharArray()))
                .append('\n'));
        return Files.writeString(file, lines, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
