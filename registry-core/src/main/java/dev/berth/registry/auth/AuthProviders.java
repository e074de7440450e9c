package dev.berth.registry.auth;

import dev.berth.registry.internal.plugin.Plugins;
import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.auth.AuthProviderFactory;
import dev.berth.registry.spi.auth.Authenticator;
import java.util.Map;

/** Finds authentication providers ({@code htpasswd}, {@code token}, {@code anonymous}) by name with ServiceLoader. */
public final class AuthProviders {
    private static final String KIND = "auth provider";

    private AuthProviders() {
    }

    /**
     * The providers on the class path of {@code loader}, by name.
     *
     * @throws IllegalStateException when two providers have one name, or one cannot be loaded (the message names its
     *                               jar and the cause)
     */
    public static Map<String, AuthProviderFactory> available(ClassLoader loader) {
        return Plugins.load(AuthProviderFactory.class, KIND, AuthProviderFactory::name, loader);
    }

    /** The providers the thread's context class loader finds (see {@link #available(ClassLoader)}). */
    public static Map<String, AuthProviderFactory> available() {
        return available(Plugins.defaultLoader(AuthProviders.class));
    }

    /**
     * Builds the authenticator named {@code name} from its config section.
     *
     * @throws IllegalArgumentException when no provider has that name (the message lists those that exist) or the
     *                                  parameters are wrong
     */
    public static Authenticator create(String name, Map<String, ?> parameters) {
        AuthProviderFactory factory = Plugins.named(available(), name, AuthProviderFactory.class, KIND);
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
            Parameters.of("auth.anonymous", parameters).rejectUnknown();
            return Authenticator.ANONYMOUS;
        }
    }
}
