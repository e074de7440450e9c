package dev.berth.spring.boot.autoconfigure;

import dev.berth.notifications.EndpointConfig;
import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.storage.StorageDriver;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.convert.converter.GenericConverter;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * A Berth registry in a Spring Boot application: a {@link Registry} built from the {@code berth.*} properties (the
 * server's {@code config.yml} keys below {@code berth.}), served by {@link RegistryServlet} at {@code /v2/} of the
 * application's own server. Every bean gives way to one of the application's: a {@link Registry},
 * {@link StorageDriver}, {@link Authenticator}, {@link AccessController} or {@link ServletOptions} of its own is
 * used instead, and a bean named {@value #SERVLET_BEAN} replaces the servlet's registration.
 *
 * <p>A wrong property stops startup with a {@link BerthConfigurationException} that names it as the application
 * spells it ({@code berth.storage.filesystem.rootdirectory}), whether Spring or the plugin found the mistake.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "berth.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BerthProperties.class)
public class BerthAutoConfiguration {
    /** The name of the servlet's registration bean. */
    public static final String SERVLET_BEAN = "berthRegistryServlet";
    /** Where the servlet is mapped: Docker clients only ever call {@code /v2/...} at the root. */
    public static final String MAPPING = "/v2/*";
    /** The name of the registration of the filter that gives container errors under /v2/ the registry's body. */
    public static final String ERROR_PAGES_BEAN = "berthErrorPages";

    private static final Logger LOG = LoggerFactory.getLogger(BerthAutoConfiguration.class);
    /** The keys of {@code berth.storage} that are not a driver's section (as in the server's config). */
    private static final Set<String> NOT_DRIVERS = Set.of("delete", "redirect", "cache", "maintenance", "tag");

    /**
     * Binds the {@code berth.*} durations as the server's {@code config.yml} reads them (Go's {@code 1h30m}) as well
     * as Spring's forms; the application's other durations are left to Spring. Static: it is needed to bind
     * {@link BerthProperties}, before this configuration exists.
     */
    @Bean
    @ConfigurationPropertiesBinding
    public static GenericConverter berthDurationConverter() {
        return new ConfigDurationConverter();
    }

    /**
     * The driver named in {@code berth.storage.<driver>}, found by ServiceLoader; with none named, the server's
     * no-file default: {@code filesystem} in {@code ./berth-data}. The registry closes it.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({StorageDriver.class, Registry.class})
    public StorageDriver berthStorageDriver(Environment environment) {
        Map<String, Object> storage = section(environment, "berth.storage");
        if (storage.containsKey("cache")) {
            throw new BerthConfigurationException("berth.storage.cache", "set the cache as berth.cache.<name>.*"
                    + " (inmemory or redis) with its parameters");
        }
        List<String> drivers = new ArrayList<>();
        storage.keySet().stream().filter(k -> !NOT_DRIVERS.contains(k)).forEach(drivers::add);
        if (drivers.size() > 1) {
            throw new BerthConfigurationException("berth.storage", "names " + drivers.size() + " drivers ("
                    + String.join(", ", drivers) + "); exactly one is allowed");
        }
        if (drivers.isEmpty()) {
            Path root = Path.of("berth-data").toAbsolutePath();
            LOG.info("No berth.storage.<driver> set: storing in {} (berth.storage.filesystem.rootdirectory)", root);
            return plugin("berth.storage.filesystem",
                    () -> StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString())));
        }
        String driver = drivers.get(0);
        Map<String, Object> parameters = parameters(storage, driver, "berth.storage." + driver);
        return plugin("berth.storage." + driver, () -> StorageDrivers.create(driver, parameters));
    }

    /** The registry over the storage driver, with {@code berth.cache.<name>} in front of it when one is set. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Registry berthRegistry(StorageDriver storageDriver, BerthProperties properties, Environment environment,
            ObjectProvider<EventListener> events, ConfigurableListableBeanFactory beanFactory) {
        BerthProperties.Storage storage = properties.getStorage();
        Registry.Builder builder = Registry.builder()
                .storage(storageDriver)
                .deletesEnabled(storage.getDelete().isEnabled())
                .readOnly(storage.getMaintenance().getReadonly().isEnabled());
        Map<String, Object> caches = section(environment, "berth.cache");
        if (caches.size() > 1) {
            throw new BerthConfigurationException("berth.cache", "names " + caches.size() + " caches ("
                    + String.join(", ", caches.keySet()) + "); at most one is allowed");
        }
        caches.keySet().forEach(name -> {
            Map<String, Object> parameters = parameters(caches, name, "berth.cache." + name);
            plugin("berth.cache." + name, () -> builder.cache(name, parameters));
        });
        try {
            Sections.upstreams(properties.getProxy()).forEach(builder::upstream);
        } catch (IllegalArgumentException e) {
            throw new BerthConfigurationException("berth.proxy", Failures.describe(e), e);
        }
        List<EventListener> listeners = events.orderedStream().toList();
        for (String listener : beanFactory.getBeanNamesForType(EventListener.class)) {
            // Destroyed after the registry, so that the events of its last actions are delivered.
            beanFactory.registerDependentBean(listener, "berthRegistry");
        }
        if (listeners.size() == 1) {
            builder.events(listeners.get(0));
        } else if (listeners.size() > 1) {
            builder.events(new AllListeners(listeners));
        }
        return builder.build();
    }

    /**
     * The {@code berth.notifications} endpoints, started; the registry reports its events to them (and to every other
     * {@link EventListener} bean). Closed after the registry, so that the events of the last requests go out.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @Conditional(NotificationsConfigured.class)
    public Notifier berthNotifier(BerthProperties properties, Environment environment) {
        BerthProperties.Notifications notifications = properties.getNotifications();
        List<EndpointConfig> endpoints = Sections.endpoints(notifications);
        return Notifier.start(endpoints, notifications.getEvents().isIncludereferences(),
                new RegistryEvent.Source(sourceAddress(environment), Notifier.INSTANCE_ID));
    }

    /**
     * The {@code source.addr} of events: this host's name and the application's {@code server.port}, as distribution
     * reports its host and port (just the host when the port is chosen at random).
     */
    static String sourceAddress(Environment environment) {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                host = "localhost";
            }
        }
        int port = environment.getProperty("server.port", Integer.class, 8080);
        return port > 0 ? Urls.hostPort(host, port) : host;
    }

    /** Whether {@code berth.notifications.endpoints} has any entry. */
    static final class NotificationsConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            boolean set = section(context.getEnvironment(), "berth.notifications").containsKey("endpoints");
            return set ? ConditionOutcome.match("berth.notifications.endpoints is set")
                    : ConditionOutcome.noMatch("no berth.notifications.endpoints");
        }
    }

    /** Every listener bean, each told of every event. */
    private record AllListeners(List<EventListener> listeners) implements EventListener {
        @Override
        public void onEvent(RegistryEvent event) {
            for (EventListener l : listeners) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException e) {
                    LOG.warn("event listener {} failed: {}", l, e.toString());
                }
            }
        }

        @Override
        public boolean includeReferences() {
            return listeners.stream().anyMatch(EventListener::includeReferences);
        }
    }

    /**
     * The provider named in {@code berth.auth.<provider>} ({@code htpasswd}: {@code path}, {@code realm},
     * {@code cachettl}), found by ServiceLoader; with none, every caller is anonymous.
     */
    @Bean
    @ConditionalOnMissingBean
    public Authenticator berthAuthenticator(Environment environment) {
        Map<String, Object> auth = section(environment, "berth.auth");
        if (auth.isEmpty()) {
            return Authenticator.ANONYMOUS;
        }
        if (auth.size() > 1) {
            throw new BerthConfigurationException("berth.auth", "names " + auth.size() + " providers ("
                    + String.join(", ", auth.keySet()) + "); exactly one is allowed");
        }
        String provider = auth.keySet().iterator().next();
        Map<String, Object> parameters = parameters(auth, provider, "berth.auth." + provider);
        return plugin("berth.auth." + provider, () -> AuthProviders.create(provider, parameters));
    }

    /**
     * The {@code berth.access} rules; without them, distribution's rule when callers authenticate (authenticated
     * users may do everything, anonymous callers nothing), and everything for everyone when they do not.
     */
    @Bean
    @ConditionalOnMissingBean
    public AccessController berthAccessController(BerthProperties properties, Authenticator authenticator) {
        BerthProperties.Access access = properties.getAccess();
        if (access.configured()) {
            AccessRules rules;
            try {
                rules = AccessRules.parse(access.asSection());
            } catch (IllegalArgumentException e) {
                // The core's message starts with the key as config.yml spells it: "access.rules[0].allow: ..."
                String message = Failures.describe(e);
                int colon = message.indexOf(": ");
                if (message.startsWith("access") && colon > 0) {
                    throw new BerthConfigurationException("berth." + message.substring(0, colon),
                            message.substring(colon + 2), e);
                }
                throw new BerthConfigurationException("berth.access", message, e);
            }
            if (authenticator == Authenticator.ANONYMOUS) {
                // As the server: rules over callers who are all anonymous would only pretend to protect anything.
                throw new BerthConfigurationException("berth.access", "access rules need an auth provider"
                        + " (berth.auth.htpasswd or berth.auth.token, or an Authenticator bean)");
            }
            return rules;
        }
        return authenticator == Authenticator.ANONYMOUS ? AccessController.ALLOW_ALL : AccessController.AUTHENTICATED;
    }

    /** How the servlet writes URLs: {@code berth.http.host}, {@code .relativeurls}, {@code berth.catalog}. */
    @Bean
    @ConditionalOnMissingBean
    public ServletOptions berthServletOptions(BerthProperties properties,
            ObjectProvider<ServletOptions.LimitListener> limitListener) {
        BerthProperties.Http http = properties.getHttp();
        int maxEntries = properties.getCatalog().getMaxentries();
        if (maxEntries < 1) {
            throw new BerthConfigurationException("berth.catalog.maxentries", "must be at least 1, found "
                    + maxEntries);
        }
        Optional<String> host = Optional.ofNullable(http.getHost()).map(String::trim).filter(h -> !h.isEmpty());
        if (host.isPresent() && !host.get().matches("(?i)https?://[^/\\s]+(/\\S*)?")) {
            throw new BerthConfigurationException("berth.http.host", "must be an absolute http or https URL, not '"
                    + host.get() + "'");
        }
        for (String name : http.getHeaders().keySet()) {
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new BerthConfigurationException("berth.http.headers." + name, "is not a valid HTTP header name");
            }
        }
        return new ServletOptions(host, http.isRelativeurls(), http.getHeaders(), maxEntries,
                !properties.getStorage().getRedirect().isDisable())
                .withLimits(limits(http.getLimits(),
                        limitListener.getIfUnique(() -> ServletOptions.LimitListener.NONE)));
    }

    /**
     * {@code berth.http.limits}: the rates and the body timeout, which the servlet enforces itself; the connection
     * limits are the application's server's, and setting them here is refused rather than silently ignored.
     */
    static ServletOptions.Limits limits(BerthProperties.Limits l, ServletOptions.LimitListener listener) {
        String prefix = "berth.http.limits.";
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("idletimeout", l.getIdletimeout());
        container.put("headertimeout", l.getHeadertimeout());
        container.put("maxconnections", l.getMaxconnections());
        container.put("maxconnectionsperclient", l.getMaxconnectionsperclient());
        container.forEach((key, value) -> {
            if (value != null) {
                throw new BerthConfigurationException(prefix + key, "limits connections, which the application's"
                        + " server owns: set its own properties (server.tomcat.*, server.jetty.*) instead");
            }
        });
        if (l.getMinrequestrate() < 0) {
            throw new BerthConfigurationException(prefix + "minrequestrate", "must be at least 0, not "
                    + l.getMinrequestrate());
        }
        if (l.getMinresponserate() < 0) {
            throw new BerthConfigurationException(prefix + "minresponserate", "must be at least 0, not "
                    + l.getMinresponserate());
        }
        if (l.getRategrace() == null || l.getRategrace().isZero() || l.getRategrace().isNegative()) {
            throw new BerthConfigurationException(prefix + "rategrace", "must be longer than 0, not "
                    + l.getRategrace());
        }
        if (l.getBodytimeout() == null || l.getBodytimeout().isZero() || l.getBodytimeout().isNegative()) {
            throw new BerthConfigurationException(prefix + "bodytimeout", "must be longer than 0, not "
                    + l.getBodytimeout());
        }
        return new ServletOptions.Limits(l.getMinrequestrate(), l.getMinresponserate(), l.getRategrace(),
                l.getBodytimeout(), listener);
    }

    /** The servlet, at {@value #MAPPING} of the application's server. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class Servlet {
        @Bean(SERVLET_BEAN)
        @ConditionalOnMissingBean(name = SERVLET_BEAN)
        ServletRegistrationBean<RegistryServlet> berthRegistryServlet(Registry registry, ServletOptions options,
                Authenticator authenticator, AccessController accessController) {
            // RegistryServlet routes on the path after the context path, "/v2/...", so "/v2/*" hands it every call.
            RegistryServlet servlet = new RegistryServlet(registry, options,
                    new AccessGuard(authenticator, accessController));
            ServletRegistrationBean<RegistryServlet> registration = new ServletRegistrationBean<>(servlet, MAPPING);
            registration.setName("berthRegistry");
            registration.setAsyncSupported(true); // blob bodies move without a thread per slow client
            registration.setLoadOnStartup(1);
            return registration;
        }

        /**
         * The registry's JSON error body, not the application's, for what the container answers under
         * {@value #MAPPING} (see {@link BerthErrorPageFilter}).
         */
        @Bean(ERROR_PAGES_BEAN)
        @ConditionalOnMissingBean(name = ERROR_PAGES_BEAN)
        FilterRegistrationBean<BerthErrorPageFilter> berthErrorPages(ServletOptions options) {
            FilterRegistrationBean<BerthErrorPageFilter> registration =
                    new FilterRegistrationBean<>(new BerthErrorPageFilter(options));
            registration.setName("berthErrorPages");
            registration.addUrlPatterns("/*"); // the error page's path, whatever the application made it
            registration.setDispatcherTypes(DispatcherType.ERROR);
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }

    /** The subtree below {@code prefix} as nested maps of texts, as a plugin takes its parameters. */
    static Map<String, Object> section(Environment environment, String prefix) {
        return Binder.get(environment).bind(prefix, Bindable.mapOf(String.class, Object.class))
                .map(m -> (Map<String, Object>) new LinkedHashMap<>(m)).orElseGet(LinkedHashMap::new);
    }

    /**
     * One plugin's parameters: its section, or none when it is set to an empty value ({@code berth.cache.inmemory=}).
     */
    static Map<String, Object> parameters(Map<String, Object> sections, String name, String property) {
        Object value = sections.get(name);
        if (value == null || (value instanceof CharSequence text && text.toString().isBlank())) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new BerthConfigurationException(property, "expected the plugin's parameters (" + property
                    + ".<key>=...), or an empty value for none");
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        map.forEach((k, v) -> parameters.put(String.valueOf(k), v));
        return parameters;
    }

    /** Runs a plugin's factory, turning what it says is wrong into the name of the property. */
    static <T> T plugin(String property, Supplier<T> create) {
        try {
            return create.get();
        } catch (ParameterException e) {
            throw new BerthConfigurationException(e.key().isEmpty() ? property : property + "." + e.key(),
                    e.problem(), e);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new BerthConfigurationException(property, Failures.describe(e), e);
        }
    }
}
