package dev.berth.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code auth} (one provider, whose section is handed over) and Berth's {@code access} rules beside it. */
final class AuthBinder {
    private AuthBinder() {
    }

    /**
     * {@code auth}: exactly one provider, whose section is handed to the provider of that name (found by
     * ServiceLoader when the server starts); Berth's {@code access} rules beside it; and under {@code auth.token},
     * Berth's {@code builtin} token issuer.
     */
    static ServerConfig.Auth bind(Section root) {
        Section s = root.section("auth");
        List<String> providers = s.names();
        Optional<Map<String, Object>> access = root.has("access") ? Optional.of(root.plain("access"))
                : Optional.empty();
        root.readAll("access");
        if (providers.isEmpty()) {
            if (access.isPresent()) {
                throw new ConfigException("access", "access rules need an auth provider (auth.htpasswd or auth.token)"
                        + " to tell who is calling");
            }
            return ServerConfig.Auth.NONE;
        }
        if (providers.size() > 1) {
            throw new ConfigException("auth", "names " + providers.size() + " providers (" + String.join(", ",
                    providers) + "); exactly one is allowed");
        }
        String provider = providers.get(0);
        Map<String, Object> parameters = s.plain(provider);
        Optional<Map<String, Object>> builtin = Optional.empty();
        if (provider.equals("token") && parameters.containsKey("builtin")) {
            Object b = parameters.remove("builtin");
            if (b != null && !(b instanceof Map)) {
                throw new ConfigException("auth.token.builtin", "must be a mapping (key, certificate, htpasswd, "
                        + "expiration)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = b == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<String, Object>) b);
            builtin = Optional.of(map);
            // These are read by the server's own issuer, not handed to a plugin: checked as values here.
            Section token = s.section("token");
            for (String k : List.of("realm", "service", "issuer")) {
                token.string(k);
            }
            Section issuer = token.section("builtin");
            for (String k : List.of("key", "certificate", "expiration")) {
                issuer.string(k);
            }
        }
        return new ServerConfig.Auth(provider, parameters, access, builtin);
    }
}
