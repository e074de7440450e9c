package dev.berth.server;

import dev.berth.auth.token.TokenAuthenticator;
import dev.berth.auth.token.TokenIssuer;
import dev.berth.auth.token.TokenServlet;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ServerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code auth.token.builtin}: Berth issues the tokens it verifies, at {@value ServerSecurity#TOKEN_PATH}, to the
 * users of an htpasswd file and scoped by the access rules; the registry trusts the issuer's key and nothing else.
 *
 * <pre>{@code
 * auth:
 *   token:
 *     realm: https://registry.example.com/auth/token   # where clients are sent for a token: this server
 *     service: registry.example.com
 *     issuer: registry.example.com
 *     builtin:
 *       key: /etc/berth/token/signing.key   # PEM (RSA, EC, Ed25519); without it one is made at startup
 *       certificate: /etc/berth/token/signing.crt   # optional: sent as x5c
 *       htpasswd: {path: /etc/berth/htpasswd}       # who may log in (any auth provider's section works)
 *       expiration: 5m
 * }</pre>
 */
final class BuiltinTokenIssuer {
    private static final Set<String> TOKEN_KEYS = Set.of("realm", "service", "issuer");

    private BuiltinTokenIssuer() {
    }

    static ServerSecurity create(ServerConfig.Auth auth, AccessController access) {
        if (!auth.provider().equals("token")) {
            throw new ConfigException("auth." + auth.provider() + ".builtin", "only auth.token has a built-in issuer");
        }
        Map<String, Object> token = auth.parameters();
        Set<String> unknown = new TreeSet<>(token.keySet());
        unknown.removeAll(TOKEN_KEYS);
        if (!unknown.isEmpty()) {
            throw new ConfigException("auth.token." + unknown.iterator().next(), "not used with auth.token.builtin:"
                    + " the registry trusts the built-in issuer's key (remove " + String.join(", ", unknown) + ")");
        }
        String realm = required(token, "realm");
        Map<String, Object> section = new LinkedHashMap<>(auth.builtinIssuer().orElseThrow());
        Object users = section.remove("htpasswd");
        String usersProvider = "htpasswd";
        if (users == null) {
            throw new ConfigException("auth.token.builtin.htpasswd", "missing: the issuer needs to know who may log"
                    + " in, e.g. htpasswd: {path: /etc/berth/htpasswd}");
        }
        if (!(users instanceof Map<?, ?> usersSection)) {
            throw new ConfigException("auth.token.builtin.htpasswd", "must be a mapping (path, realm)");
        }
        Authenticator credentials;
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> params = (Map<String, ?>) usersSection;
            credentials = AuthProviders.create(usersProvider, params);
        } catch (IllegalArgumentException e) {
            throw ConfigException.fromPlugin("auth.token.builtin.htpasswd", e);
        }
        TokenIssuer issuer;
        TokenAuthenticator verifier;
        try {
            section.put("issuer", required(token, "issuer"));
            section.put("service", required(token, "service"));
            issuer = TokenIssuer.fromConfig(section, access);
            verifier = issuer.authenticator(realm);
        } catch (IllegalArgumentException e) {
            credentials.close();
            throw ConfigException.fromPlugin("auth.token.builtin", e); // the issuer names the key it refuses
        }
        TokenServlet servlet = new TokenServlet(issuer, credentials);
        // The web console signs users in with the issuer's user list: the verifier takes only tokens.
        return new ServerSecurity(new AccessGuard(verifier, access), Optional.of(servlet), () -> {
            try {
                verifier.close();
            } finally {
                credentials.close();
            }
        }, credentials);
    }

    private static String required(Map<String, Object> token, String key) {
        Object v = token.get(key);
        if (v == null || v.toString().isBlank()) {
            throw new ConfigException("auth.token." + key, "required");
        }
        return v.toString();
    }
}
