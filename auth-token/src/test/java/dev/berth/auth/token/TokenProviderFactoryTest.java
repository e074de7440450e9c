package dev.berth.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.spi.auth.Authenticator;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenProviderFactoryTest {
    @TempDir
    static Path dir;
    static Map<String, Object> good;

    @BeforeAll
    static void bundle() throws Exception {
        Path pem = TestPki.writePem(dir.resolve("root.pem"), TestPki.ca(TestPki.ec("secp256r1"), "root"));
        good = new HashMap<>(Map.of("realm", "https://auth.test/token", "service", "registry.test",
                "issuer", "issuer", "rootcertbundle", pem.toString(), "autoredirect", false));
    }

    static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = new HashMap<>(good);
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return m;
    }

    @Test
    void foundByName() {
        assertThat(AuthProviders.available()).containsKey("token");
        Authenticator a = AuthProviders.create("token", good);
        assertThat(a).isInstanceOf(TokenAuthenticator.class);
        assertThat(a.challenge(List.of())).isEqualTo("Bearer realm=\"https://auth.test/token\","
                + "service=\"registry.test\"");
    }

    @Test
    void missingParametersAreNamed() {
        for (String key : List.of("realm", "service", "issuer")) {
            assertThatThrownBy(() -> AuthProviders.create("token", with(key, null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.token." + key);
        }
        assertThatThrownBy(() -> AuthProviders.create("token", with("rootcertbundle", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rootcertbundle")
                .hasMessageContaining("jwks");
    }

    @Test
    void unknownAndWrongParametersAreNamed() {
        assertThatThrownBy(() -> AuthProviders.create("token", with("relam", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relam");
        assertThatThrownBy(() -> AuthProviders.create("token", with("rootcertbundle",
                dir.resolve("missing.pem").toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.token.rootcertbundle");
        assertThatThrownBy(() -> AuthProviders.create("token", with("jwks", dir.resolve("none.json").toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.token.jwks");
        assertThatThrownBy(() -> AuthProviders.create("token", with("signingalgorithms", List.of("HS256"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signingalgorithms");
        assertThatThrownBy(() -> AuthProviders.create("token", with("autoredirect", "maybe")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("autoredirect");
    }
}
