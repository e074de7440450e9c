package dev.berth.registry.auth;

import dev.berth.registry.spi.auth.AuthProviderFactory;
import dev.berth.registry.spi.auth.Authenticator;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds authentication providers ({@code htpasswd}, {@code token}, {@code anonymous}) by name with ServiceLoader. */
public final class AuthProviders {
    private AuthProviders() {
    }

    /** The providers on the class path of {@code loader}, by name; two providers of one name are an error. */
    public static Map<String, AuthProviderFactory> available(ClassLoader loader) {
        Map<String, AuthProviderFactory> byName = new TreeMap<>();
        for (AuthProviderFactory f : ServiceLoader.load(AuthProviderFactory.class, loader)) {
            AuthProviderFactory previous = byName.putIfAbsent(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two auth providers are named '" + f.name() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName()
                        + "; remove one of them from the class path");
            }
        }
        return byName;
    }

    public static Map<String, AuthProviderFactory> available() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return available(context != null ? context : AuthProviders.class.getClassLoader());
    }

    /**
     * Builds the authenticator named {@code name} from its config section.
     *
     * @throws IllegalArgumentException when no provider has that name (the message lists those that exist) or the
     *                                  parameters are wrong
     */
    public static Authenticator create(String name, Map<String, ?> parameters) {
        Map<String, AuthProviderFactory> available = available();
        AuthProviderFactory factory = available.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("no auth provider named '" + name + "'; available: "
                    + String.join(", ", available.keySet()) + " (a provider is found through META-INF/services/"
                    + AuthProviderFactory.class.getName() + ")");
        }
        return factory.create(parameters == null ? Map.of() : parameters);
    }

    /** {@code anonymous}: no authentication, as a registry without an {@code auth} section. */
    public static final class AnonymousFactory implements AuthProviderFactory {
        @Override
        public String name() {
            return "anonymous";
        }

        @Override
        public Authenticator create(Map<String, ?> parameters) {
            if (!parameters.isEmpty()) {
                throw new IllegalArgumentException("auth.anonymous takes no parameters, found "
                        + String.join(", ", parameters.keySet()));
            }
            return Authenticator.ANONYMOUS;
        }
    }
}
