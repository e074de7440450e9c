package dev.berth.registry.spi.auth;

import java.util.Map;

/**
 * Builds an {@link Authenticator} from its config section, found with {@link java.util.ServiceLoader} by the name
 * under {@code auth:} in the config ({@code htpasswd}, {@code token}, {@code anonymous}). Register an implementation
 * in {@code META-INF/services/dev.berth.registry.spi.auth.AuthProviderFactory}.
 */
public interface AuthProviderFactory {
    /** The name a config uses for this provider, e.g. {@code htpasswd}. */
    String name();

    /**
     * Builds the authenticator.
     *
     * @param parameters the provider's section of the config (strings, numbers, booleans, lists and maps as YAML
     *                   gives them)
     * @throws IllegalArgumentException when a parameter is missing or wrong; the message names it
     */
    Authenticator create(Map<String, ?> parameters);
}
