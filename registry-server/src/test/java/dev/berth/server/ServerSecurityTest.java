package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The auth and access sections become the access check, and every mistake in them stops startup naming its key. */
class ServerSecurityTest {
    @TempDir
    Path dir;

    ServerConfig.Auth auth(String yaml) {
        return ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {}}\n" + yaml, Map.of()).auth();
    }

    @Test
    void withoutAuthEveryoneMayDoEverything() throws Exception {
        try (ServerSecurity s = ServerSecurity.from(auth(""))) {
            assertThat(s).isSameAs(ServerSecurity.OPEN);
            assertThat(s.tokenEndpoint()).isEmpty();
        }
    }

    @Test
    void htpasswdWithoutRulesIsDistributionsRuleAndWithRulesTheRules() throws Exception {
        Path users = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}kd/Z3bQZiv/FwZTNjObTOP3kcOI=\n");
        try (ServerSecurity s = ServerSecurity.from(auth("auth: {htpasswd: {path: " + users + "}}"))) {
            assertThat(s.guard().accessController()).isSameAs(AccessController.AUTHENTICATED);
            assertThat(s.guard().authenticator().acceptsCredentials()).isTrue();
            assertThat(s.tokenEndpoint()).isEmpty();
        }
        try (ServerSecurity s = ServerSecurity.from(auth("auth: {htpasswd: {path: " + users + "}}\naccess: {rules: "
                + "[{repositories: ['**'], who: [alice], allow: [pull]}]}"))) {
            assertThat(s.guard().accessController()).isInstanceOf(AccessRules.class);
        }
    }

    @Test
    void theBuiltinIssuerMountsTheTokenEndpoint() throws Exception {
        Path users = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}kd/Z3bQZiv/FwZTNjObTOP3kcOI=\n");
        try (ServerSecurity s = ServerSecurity.from(auth("auth: {token: {realm: 'https://r.example/auth/token', "
                + "service: s, issuer: i, builtin: {htpasswd: {path: " + users + "}}}}"))) {
            assertThat(s.tokenEndpoint()).isPresent();
            assertThat(s.guard().authenticator().challenge(List.of()))
                    .isEqualTo("Bearer realm=\"https://r.example/auth/token\",service=\"s\"");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            auth: {silly: {realm: r}}                                                   | auth.silly
            auth: {htpasswd: {realm: r}}                                                | auth.htpasswd
            auth: {htpasswd: {path: /no/such/file}}                                     | auth.htpasswd
            auth: {htpasswd: {path: HTPASSWD, colour: blue}}                            | auth.htpasswd
            auth: {token: {realm: r, service: s}}                                       | auth.token
            auth: {htpasswd: {path: HTPASSWD}}\\naccess: {rules: [{who: [a], allow: [pull]}]} | access
            auth: {htpasswd: {path: HTPASSWD}}\\naccess: {rules: [{repositories: [x], who: [a], allow: [fly]}]} | access
            auth: {token: {realm: r, service: s, issuer: i, builtin: {}}}               | auth.token.builtin.htpasswd
            auth: {token: {service: s, issuer: i, builtin: {htpasswd: {path: HTPASSWD}}}} | auth.token.realm
            auth: {token: {realm: r, service: s, issuer: i, jwks: /j, builtin: {htpasswd: {path: HTPASSWD}}}} | auth.token.jwks
            auth: {token: {realm: r, service: s, issuer: i, builtin: {htpasswd: {path: HTPASSWD}, key: /no/key}}} | auth.token.builtin.key
            auth: {token: {realm: r, service: s, issuer: i, builtin: {htpasswd: {path: HTPASSWD}, expiration: soon}}} | auth.token.builtin.expiration
            """)
    void mistakesStopStartupNamingTheKey(String yaml, String key) throws Exception {
        Path users = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}kd/Z3bQZiv/FwZTNjObTOP3kcOI=\n");
        String text = yaml.replace("\\n", "\n").replace("HTPASSWD", users.toString());
        assertThatThrownBy(() -> ServerSecurity.from(auth(text))).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).startsWith(key));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            auth: {htpasswd: {realm: r}}                              | auth.htpasswd.path   | required: the htpasswd file to read
            auth: {htpasswd: {path: HTPASSWD, colour: blue}}          | auth.htpasswd.colour | unknown parameter (known: cachettl, path, realm)
            auth: {htpasswd: {path: HTPASSWD, cachettl: soon}}        | auth.htpasswd.cachettl | 'soon' is not a duration (write it like 300ms, 30s, 5m or 1h30m)
            auth: {token: {realm: r, service: s}}                     | auth.token.issuer    | required
            auth: {token: {realm: r, service: s, issuer: i, builtin: {htpasswd: {realm: r}}}} | auth.token.builtin.htpasswd.path | required: the htpasswd file to read
            auth: {token: {realm: r, service: s, issuer: i, builtin: {htpasswd: {path: HTPASSWD}, expiration: 0s}}} | auth.token.builtin.expiration | must be longer than zero
            """)
    void aPluginsMistakeIsReportedAtItsOwnKeyOnce(String yaml, String key, String problem) throws Exception {
        Path users = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}kd/Z3bQZiv/FwZTNjObTOP3kcOI=\n");
        String text = yaml.replace("HTPASSWD", users.toString());
        assertThatThrownBy(() -> ServerSecurity.from(auth(text))).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.getMessage()).isEqualTo(key + ": " + problem);
        });
    }
}
