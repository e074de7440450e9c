package dev.berth.server;

import dev.berth.auth.token.TokenAuthenticator;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ServerConfig;
import jakarta.servlet.Servlet;
import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The standalone server's access check, built from {@code auth} and {@code access}: the {@link AccessGuard} the
 * registry servlet asks on every request, and the built-in token endpoint ({@value #TOKEN_PATH}) when
 * {@code auth.token.builtin} asks for one.
 */
public record ServerSecurity(AccessGuard guard, Optional<Servlet> tokenEndpoint, Closeable resources,
        Authenticator passwords) implements Closeable {
    /** Where the built-in token issuer answers, below the server's prefix. */
    public static final String TOKEN_PATH = "/auth/token";

    /** No authentication: what a config without {@code auth} serves. */
    public static final ServerSecurity OPEN = new ServerSecurity(AccessGuard.OPEN, Optional.empty(), () -> { });

    /** Security whose users sign in to the web console with the guard's own authenticator. */
    public ServerSecurity(AccessGuard guard, Optional<Servlet> tokenEndpoint, Closeable resources) {
        this(guard, tokenEndpoint, resources, guard.authenticator());
    }

    public ServerSecurity {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(passwords, "passwords");
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(resources, "resources");
    }

    /**
     * Builds the provider named in the config (found by ServiceLoader), the access rules and the built-in issuer.
     *
     * @throws ConfigException naming the key that is wrong
     */
    public static ServerSecurity from(ServerConfig.Auth auth) {
        if (!auth.enabled()) {
            return OPEN;
        }
        AccessController access = AccessController.AUTHENTICATED;
        if (auth.access().isPresent()) {
            try {
                access = AccessRules.parse(auth.access().get());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("access", Failures.describe(e));
            }
        }
        if (auth.builtinIssuer().isPresent()) {
            return BuiltinTokenIssuer.create(auth, access);
        }
        Authenticator authenticator;
        try {
            authenticator = AuthProviders.create(auth.provider(), auth.parameters());
        } catch (IllegalArgumentException e) {
            throw ConfigException.fromPlugin("auth." + auth.provider(), e);
        }
        // The web console checks passwords with the provider; a token verifier has none to check (tokens come from
        // a server of their own), so the console then offers no sign-in and shows what anonymous callers may pull.
        Authenticator passwords = authenticator instanceof TokenAuthenticator ? Authenticator.ANONYMOUS : authenticator;
        return new ServerSecurity(new AccessGuard(authenticator, access), Optional.empty(), authenticator::close,
                passwords);
    }

    @Override
    public void close() throws IOException {
        resources.close();
    }
}
