package dev.berth.registry.internal.plugin;

import dev.berth.registry.diagnostics.Failures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place plugins (storage drivers, caches, auth providers) are discovered with {@link ServiceLoader}, with
 * the hygiene the JDK and Trino show:
 * <ul>
 * <li>a provider that cannot be loaded (its class missing, not the SPI's type, its constructor failing) stops the
 * discovery with an {@link IllegalStateException} that names the provider, where it came from (its jar or classes
 * folder, or the {@code META-INF/services} file that listed it) and the cause; nothing is silently skipped;</li>
 * <li>two providers of one name stop it too, naming both classes and both locations;</li>
 * <li>what was found is logged at debug once per distinct result, not on every lookup;</li>
 * <li>a name nobody provides is an {@link IllegalArgumentException} listing the names that exist.</li>
 * </ul>
 *
 * <p>Thread-safe: stateless apart from the set of results already logged.
 */
public final class Plugins {
    private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);
    /** The discovery results already logged, so that each is logged once. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private Plugins() {
    }

    /**
     * The providers of {@code spi} that {@code loader} finds, by name, sorted.
     *
     * @param spi    the service interface
     * @param kind   what a provider is called in messages, singular ({@code storage driver}); an {@code s} makes
     *               the plural
     * @param nameOf a provider's name
     * @throws IllegalStateException when a provider cannot be loaded, or two have one name
     */
    public static <P> Map<String, P> load(Class<P> spi, String kind, Function<? super P, String> nameOf,
            ClassLoader loader) {
        return load(spi, kind, nameOf, loader, LOG);
    }

    static <P> Map<String, P> load(Class<P> spi, String kind, Function<? super P, String> nameOf, ClassLoader loader,
            Logger log) {
        Map<String, P> byName = new TreeMap<>();
        Iterator<ServiceLoader.Provider<P>> it = ServiceLoader.load(spi, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<P> provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                throw broken(spi, kind, loader, null, e);
            }
            P instance;
            String name;
            try {
                instance = provider.get();
                name = nameOf.apply(instance);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                throw broken(spi, kind, loader, provider.type(), e);
            }
            if (name == null || name.isBlank()) {
                throw new IllegalStateException("the " + kind + " " + provider.type().getName() + " (from "
                        + location(provider.type()) + ") has no name");
            }
            P previous = byName.putIfAbsent(name, instance);
            if (previous != null) {
                throw new IllegalStateException("two " + kind + "s are named '" + name + "': "
                        + previous.getClass().getName() + " (from " + location(previous.getClass()) + ") and "
                        + instance.getClass().getName() + " (from " + location(instance.getClass())
                        + "); remove one of them from the class path");
            }
        }
        logOnce(log, kind, byName);
        return byName;
    }

    /**
     * The provider named {@code name}.
     *
     * @throws IllegalArgumentException when none has that name; the message lists those that exist
     */
    public static <P> P named(Map<String, P> available, String name, Class<P> spi, String kind) {
        P provider = available.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("no " + kind + " named '" + name + "'; available: "
                    + (available.isEmpty() ? "none" : String.join(", ", available.keySet()))
                    + " (" + withArticle(kind) + " is found through META-INF/services/" + spi.getName() + ")");
        }
        return provider;
    }

    /** The thread's context class loader, or else the one that loaded {@code anchor}. */
    public static ClassLoader defaultLoader(Class<?> anchor) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : anchor.getClassLoader();
    }

    /** Where a class was loaded from: its jar or classes folder, else its class file, else that it is unknown. */
    static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            return source.getLocation().toString();
        }
        URL file = type.getResource(type.getSimpleName() + ".class");
        return file != null ? file.toString() : "an unknown location";
    }

    private static IllegalStateException broken(Class<?> spi, String kind, ClassLoader loader, Class<?> type,
            Throwable error) {
        String provider;
        if (type != null) {
            provider = type.getName() + " (from " + location(type) + ")";
        } else {
            // The class itself could not be had: name the services files that list what the error is about.
            Map<URL, List<String>> files = servicesFiles(spi, loader);
            String text = String.valueOf(error.getMessage());
            List<String> listing = new ArrayList<>();
            String named = null;
            for (Map.Entry<URL, List<String>> f : files.entrySet()) {
                for (String className : f.getValue()) {
                    if (text.contains(className)) {
                        named = className;
                        listing.add(f.getKey().toString());
                    }
                }
            }
            if (listing.isEmpty()) {
                listing = files.keySet().stream().map(URL::toString).collect(Collectors.toList());
            }
            provider = (named == null ? "listed" : named + " listed") + " in "
                    + (listing.isEmpty() ? "META-INF/services/" + spi.getName() : String.join(" and ", listing));
        }
        String why;
        if (error instanceof ServiceConfigurationError && error.getCause() != null) {
            why = Failures.describe(error.getCause());
        } else if (error instanceof ServiceConfigurationError) {
            // "<spi>: Provider <class> not found": the words after the service's name say it.
            why = String.valueOf(error.getMessage()).replaceFirst("^" + Pattern.quote(spi.getName())
                    + ": ", "");
        } else {
            why = Failures.describe(error);
        }
        return new IllegalStateException(withArticle(kind) + " cannot be loaded: " + provider + ": " + why
                + " (fix or remove its jar)", error);
    }

    private static String withArticle(String kind) {
        return ("aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind;
    }

    /** Each {@code META-INF/services} file for {@code spi} that {@code loader} sees, with the class names it lists. */
    private static Map<URL, List<String>> servicesFiles(Class<?> spi, ClassLoader loader) {
        Map<URL, List<String>> files = new LinkedHashMap<>();
        try {
            ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
            for (URL url : Collections.list(l.getResources("META-INF/services/" + spi.getName()))) {
                List<String> names = new ArrayList<>();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        int hash = line.indexOf('#');
                        String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                        if (!name.isEmpty()) {
                            names.add(name);
                        }
                    }
                } catch (IOException unreadable) {
                    // Still worth naming: it is one of the files that may hold the broken entry.
                }
                files.put(url, names);
            }
        } catch (IOException e) {
            // Only the error's own words are left to report.
        }
        return files;
    }

    private static void logOnce(Logger log, String kind, Map<String, ?> found) {
        if (!log.isDebugEnabled()) {
            return;
        }
        String summary = found.isEmpty() ? "none" : found.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue().getClass().getName() + " from "
                        + location(e.getValue().getClass()) + ")")
                .collect(Collectors.joining(", "));
        if (LOGGED.add(kind + ": " + summary)) {
            log.debug("{}s found: {}", kind, summary);
        }
    }
}
