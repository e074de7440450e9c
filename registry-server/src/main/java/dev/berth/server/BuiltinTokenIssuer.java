package dev.berth.server;

import dev.berth.registry.spi.auth.AccessController;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ServerConfig;

/** {@code auth.token.builtin}: Berth issues the tokens it verifies, at {@value ServerSecurity#TOKEN_PATH}. */
final class BuiltinTokenIssuer {
    private BuiltinTokenIssuer() {
    }

    static ServerSecurity create(ServerConfig.Auth auth, AccessController access) {
        throw new ConfigException("auth.token.builtin", "not wired yet");
    }
}
