package dev.berth.junit;

import dev.berth.registry.Registry;
import dev.berth.registry.proxy.Upstream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real registry for a test: Berth served by Jetty on a random loopback port, started before the test and stopped,
 * with everything made for it, after.
 *
 * <pre>{@code
 * @RegisterExtension
 * static BerthRegistryExtension registry = BerthRegistryExtension.builder().withUser("alice", "secret").build();
 *
 * @Test
 * void pushes(RegistryEndpoint endpoint) { ... endpoint.image("team/app:1") ... }
 * }</pre>
 *
 * <p>What it promises:
 * <ul>
 * <li>Scope follows registration: a {@code static} field (or {@link RegistryTest}) gives one registry for the class,
 *     started before its first {@code @BeforeAll} method and stopped after its last {@code @AfterAll} one, shared by
 *     {@code @Nested} classes; an instance field gives every test method a fresh one.</li>
 * <li>Storage is in memory unless {@link Builder#inFolder()} (a temporary folder, deleted afterwards) or
 *     {@link Builder#inFolder(Path)} (the test's folder, left as it is) says otherwise.</li>
 * <li>Tests and lifecycle methods take a {@link Registry} (the same object the server serves: what a client pushed
 *     is there), a {@link URI} or {@link URL} (the base URL) or a {@link RegistryEndpoint} (everything a client
 *     needs) as parameters. With two registries in one class, take them from the fields instead.</li>
 * <li>With {@link Builder#withUser users}, anonymous callers may do nothing and every user everything (distribution's
 *     htpasswd rule). With {@link Builder#withTls()}, the server's certificate comes from a CA made for this registry
 *     alone, which the endpoint's {@code SSLContext} trusts and whose PEM file it names.</li>
 * <li>When the registry is stopped, its temporary files (folder, htpasswd file, CA) are deleted.</li>
 * </ul>
 *
 * <p>Thread-safe: an extension in a static field is shared by the class's tests, which may run in parallel (and so is
 * the registry); starting and stopping are serialised.
 */
public final class BerthRegistryExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final Set<Class<?>> INJECTED = Set.of(Registry.class, URI.class, URL.class, RegistryEndpoint.class);

    private final Settings settings;
    private volatile RunningRegistry running;
    /** The unique id of the test class or method whose callbacks started the registry, and so stop it. */
    private volatile String owner;

    /** The defaults (in memory, plain HTTP, no users): what {@link RegistryTest} registers. */
    public BerthRegistryExtension() {
        this(new Builder().settings());
    }

    private BerthRegistryExtension(Settings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        startFor(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        startFor(context); // nothing to do when the class already has one
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        stopFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stopFor(context);
    }

    private synchronized void startFor(ExtensionContext context) throws Exception {
        if (running == null) {
            running = RunningRegistry.start(settings);
            owner = context.getUniqueId();
        }
    }

    private synchronized void stopFor(ExtensionContext context) throws Exception {
        RunningRegistry stopping = running;
        if (stopping != null && context.getUniqueId().equals(owner)) {
            running = null;
            owner = null;
            stopping.stop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return INJECTED.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        RunningRegistry current = running;
        if (current == null) {
            throw new ParameterResolutionException("no registry is running for " + parameter.getDeclaringExecutable()
                    + ": a registry in an instance field starts only for test methods, not for a constructor or"
                    + " @BeforeAll");
        }
        Class<?> type = parameter.getParameter().getType();
        if (type == Registry.class) {
            return current.registry();
        } else if (type == RegistryEndpoint.class) {
            return current.endpoint();
        } else if (type == URI.class) {
            return current.endpoint().uri();
        }
        try {
            return current.endpoint().uri().toURL();
        } catch (MalformedURLException e) {
            throw new ParameterResolutionException("cannot make a URL of " + current.endpoint().uri(), e);
        }
    }

    /** The registry being served. */
    public Registry registry() {
        return current().registry();
    }

    /** Where it is and how to reach it. */
    public RegistryEndpoint endpoint() {
        return current().endpoint();
    }

    /** Its base URL, e.g. {@code http://127.0.0.1:41234}. */
    public URI uri() {
        return current().endpoint().uri();
    }

    /** The folder holding its storage; empty when it is in memory. */
    public Optional<Path> storageFolder() {
        return current().storageFolder();
    }

    /** How long it took from the call to start until the port accepted connections. */
    public Duration startTime() {
        return current().startTime();
    }

    private RunningRegistry current() {
        RunningRegistry current = running;
        if (current == null) {
            throw new IllegalStateException("the registry is not running: it runs from before the class's or the"
                    + " method's first callback to after its last");
        }
        return current;
    }

    /** What this extension starts its registries with: for this package's own measurements. */
    Settings settingsForTest() {
        return settings;
    }

    @Override
    public String toString() {
        RunningRegistry current = running;
        return "BerthRegistryExtension[" + (current == null ? "stopped" : current.endpoint()) + "]";
    }

    /** What a registry is started with. */
    record Settings(Optional<Path> folder, boolean temporaryFolder, Map<String, String> users, boolean tls,
            List<Supplier<Upstream>> upstreams, Consumer<Registry.Builder> customizer) {
        Settings {
            users = Collections.unmodifiableMap(new LinkedHashMap<>(users)); // keeps the first user first
            upstreams = List.copyOf(upstreams);
        }
    }

    /** Builds an extension; every method returns the same builder. Not thread-safe. */
    public static final class Builder {
        private Optional<Path> folder = Optional.empty();
        private boolean temporaryFolder;
        private final Map<String, String> users = new LinkedHashMap<>();
        private boolean tls;
        private final List<Supplier<Upstream>> upstreams = new ArrayList<>();
        private Consumer<Registry.Builder> customizer = builder -> { };

        private Builder() {
        }

        /** Storage in memory: the default. */
        public Builder inMemory() {
            folder = Optional.empty();
            temporaryFolder = false;
            return this;
        }

        /** Storage in a new temporary folder ({@code filesystem} driver), deleted when the registry stops. */
        public Builder inFolder() {
            folder = Optional.empty();
            temporaryFolder = true;
            return this;
        }

        /**
         * Storage in {@code folder} ({@code filesystem} driver, distribution's layout), which is left as it is when
         * the registry stops: a {@code @TempDir}, or a folder prepared with content.
         */
        public Builder inFolder(Path folder) {
            this.folder = Optional.of(Objects.requireNonNull(folder, "folder"));
            temporaryFolder = false;
            return this;
        }

        /**
         * A user, written with bcrypt into an htpasswd file for the registry. With any user the registry requires
         * Basic credentials; the first user's are the {@link RegistryEndpoint}'s.
         */
        public Builder withUser(String name, String password) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
            if (name.isEmpty() || name.contains(":") || name.contains("\n")) {
                throw new IllegalArgumentException("an htpasswd user name must be non-empty, without ':' or newline");
            }
            if (users.putIfAbsent(name, password) != null) {
                throw new IllegalArgumentException("user '" + name + "' is already there");
            }
            return this;
        }

        /** HTTPS with a certificate from a CA generated for this registry (see {@link RegistryEndpoint#caFile()}). */
        public Builder withTls() {
            tls = true;
            return this;
        }

        /** A registry this one pulls through from; once per upstream. */
        public Builder pullThrough(Upstream upstream) {
            Objects.requireNonNull(upstream, "upstream");
            upstreams.add(() -> upstream);
            return this;
        }

        /**
         * Pulls through from another extension's registry (every repository, no prefix), whose address is known
         * only once it runs: register that one first ({@code @Order} on the fields). Its first user's credentials
         * are used when it has users; a TLS registry is trusted through its generated CA
         * ({@link RegistryEndpoint#sslContext()}), so that it is reached over https as a real upstream would be.
         */
        public Builder pullThrough(BerthRegistryExtension upstream) {
            Objects.requireNonNull(upstream, "upstream");
            upstreams.add(() -> {
                RegistryEndpoint endpoint = upstream.endpoint();
                Upstream u = Upstream.of(endpoint.uri().toString());
                if (endpoint.username().isPresent()) {
                    u = u.withCredentials(endpoint.username().get(), endpoint.password().orElseThrow());
                }
                return endpoint.sslContext().map(u::withSslContext).orElse(u);
            });
            return this;
        }

        /** Anything else a {@link Registry.Builder} does (deletes, caches, events, ...), applied after storage. */
        public Builder configure(Consumer<Registry.Builder> customizer) {
            this.customizer = this.customizer.andThen(Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        public BerthRegistryExtension build() {
            return new BerthRegistryExtension(settings());
        }

        Settings settings() {
            return new Settings(folder, temporaryFolder, users, tls, upstreams, customizer);
        }
    }
}
