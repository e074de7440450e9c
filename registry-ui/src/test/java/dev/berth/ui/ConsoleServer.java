package dev.berth.ui;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.berth.auth.htpasswd.HtpasswdAuthenticator;
import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.registry.servlet.ServletOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A registry in memory, served by Jetty on a loopback port with the registry servlet at the root of a context path
 * and the console at {@code /ui/} below it, as an embedder mounts them.
 */
final class ConsoleServer {
    static final String CONTEXT = "/reg";
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "admin-secret";
    static final String VIEWER = "viewer";
    static final String VIEWER_PASSWORD = "viewer-secret";

    final Registry registry;
    final Activity activity = new Activity(100);
    /** Every event the registry raised, pulls included (the activity buffer keeps no pulls of the console). */
    final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    final Content content;
    private final Server jetty;
    private final AccessGuard guard;

    private ConsoleServer(boolean auth, Path dir, int pageSize) throws Exception {
        registry = Registry.builder()
                .immutableTags(ImmutableTags.of(new ImmutableTags.Rule(List.of("**"), List.of("release-*"))))
                .events(activity.and(events::add))
                .build();
        content = new Content(registry);
        if (auth) {
            Path htpasswd = dir.resolve("htpasswd");
            Files.writeString(htpasswd, ADMIN + ":" + bcrypt(ADMIN_PASSWORD) + "\n" + VIEWER + ":"
                    + bcrypt(VIEWER_PASSWORD) + "\n");
            guard = new AccessGuard(new HtpasswdAuthenticator("Berth", htpasswd), AccessRules.parse(Map.of(
                    "rules", List.of(
                            Map.of("repositories", List.of("public/**"), "who", List.of("everyone"),
                                    "allow", List.of("pull")),
                            Map.of("repositories", List.of("**"), "who", List.of(VIEWER), "allow", List.of("pull")),
                            Map.of("repositories", List.of("**"), "who", List.of(ADMIN),
                                    "allow", List.of("pull", "push", "delete"))))));
        } else {
            guard = AccessGuard.OPEN;
        }
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(CONTEXT);
        ServletHolder registryServlet = new ServletHolder(new RegistryServlet(registry, ServletOptions.DEFAULTS,
                guard));
        registryServlet.setAsyncSupported(true);
        context.addServlet(registryServlet, "/*");
        context.addServlet(new ServletHolder(ConsoleServlet.builder(registry).guard(guard).activity(activity)
                .pageSize(pageSize).build()), "/ui/*");
        jetty.setHandler(context);
        jetty.start();
    }

    /** A server whose console lists five repositories or tags a page, so that paging shows with little content. */
    static ConsoleServer start(boolean auth, Path dir) throws Exception {
        return new ConsoleServer(auth, dir, 5);
    }

    static ConsoleServer start(boolean auth, Path dir, int pageSize) throws Exception {
        return new ConsoleServer(auth, dir, pageSize);
    }

    /** {@code http://127.0.0.1:PORT/reg/ui}, without a trailing slash. */
    String ui() {
        return api() + "/ui";
    }

    /** {@code http://127.0.0.1:PORT/reg}: where the registry's API ({@code /v2/}) is. */
    String api() {
        return "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + CONTEXT;
    }

    private static String bcrypt(String password) {
        return BCrypt.withDefaults().hashToString(4, password.toCharArray());
    }

    void close() throws Exception {
        try {
            jetty.stop();
        } finally {
            guard.close();
            registry.close();
        }
    }
}
