package dev.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code REGISTRY_<KEY>_FILE}: a key's value read from a file (Docker and Kubernetes secrets), never shown. */
class SecretFilesConfigTest {
    private static final String S3 = "version: 0.1\nstorage:\n  s3: {region: us-east-1, bucket: b}\n";

    @TempDir
    Path dir;

    private String file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    @Test
    void aFileVariableSetsItsKeyToTheFilesContentAsText() throws IOException {
        ServerConfig c = ConfigLoader.parse(S3, Map.of(
                "REGISTRY_STORAGE_S3_ACCESSKEY_FILE", file("access", "AKIAEXAMPLE\n"),
                "REGISTRY_STORAGE_S3_SECRETKEY_FILE", file("secret", "0123 : [not yaml\r\n\n"),
                "REGISTRY_AUTH_HTPASSWD_REALM", "Berth",
                "REGISTRY_AUTH_HTPASSWD_PATH_FILE", file("path", "/run/secrets/htpasswd")));
        // trailing line breaks dropped, the rest as it is: not read as YAML (0123 would become 123)
        assertThat(c.storage().parameters()).containsEntry("accesskey", "AKIAEXAMPLE")
                .containsEntry("secretkey", "0123 : [not yaml");
        assertThat(c.auth().parameters()).containsEntry("path", "/run/secrets/htpasswd");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void aFileThatDoesNotExistIsAnErrorNamingTheVariable() {
        String missing = dir.resolve("nope").toString();
        assertThatThrownBy(() -> ConfigLoader.parse(S3, Map.of("REGISTRY_STORAGE_S3_SECRETKEY_FILE", missing)))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("storage.s3.secretkey");
                    assertThat(e.getMessage()).contains("REGISTRY_STORAGE_S3_SECRETKEY_FILE").contains(missing)
                            .contains("does not exist");
                });
        assertThatThrownBy(() -> ConfigLoader.parse(S3, Map.of("REGISTRY_STORAGE_S3_SECRETKEY_FILE", dir.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("REGISTRY_STORAGE_S3_SECRETKEY_FILE")
                .hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> ConfigLoader.parse(S3, Map.of("REGISTRY_STORAGE_S3_SECRETKEY_FILE", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("REGISTRY_STORAGE_S3_SECRETKEY_FILE is empty");
    }

    @Test
    void theValueAndItsFileTogetherAreAnError() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.parse(S3, Map.of("REGISTRY_STORAGE_S3_SECRETKEY", "inline",
                "REGISTRY_STORAGE_S3_SECRETKEY_FILE", file("secret", "s3cr3t"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("both REGISTRY_STORAGE_S3_SECRETKEY and REGISTRY_STORAGE_S3_SECRETKEY_FILE")
                .hasMessageNotContaining("s3cr3t").hasMessageNotContaining("inline");
    }

    @Test
    void aValueFromAFileIsNeverQuotedInAnError() throws IOException {
        String secret = "hunter2-from-a-file";
        assertThatThrownBy(() -> ConfigLoader.parse(S3, Map.of("REGISTRY_STORAGE_DELETE_ENABLED_FILE",
                file("flag", secret + "\n"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("storage.delete.enabled");
                    assertThat(e.getMessage()).doesNotContain(secret)
                            .contains("(the content of REGISTRY_STORAGE_DELETE_ENABLED_FILE)");
                });
        // the same value from the environment is quoted, as before: the masking is what hides it
        assertThatThrownBy(() -> ConfigLoader.parse(S3, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", secret)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(secret);
    }

    @Test
    void messagesPrintedAfterLoadingAreMaskedToo() throws IOException {
        Map<String, String> env = Map.of("REGISTRY_STORAGE_S3_SECRETKEY_FILE", file("secret", "wJalrXUtnFEMI\n"),
                "REGISTRY_HTTP_SECRET_FILE", dir.resolve("gone").toString());
        assertThat(ConfigLoader.mask("storage.s3: rejected 'wJalrXUtnFEMI'", env)).isEqualTo("storage.s3: rejected "
                + "'(the content of REGISTRY_STORAGE_S3_SECRETKEY_FILE)'");
        assertThat(ConfigLoader.mask("nothing secret here", Map.of())).isEqualTo("nothing secret here");
        // a secret that contains another is masked whole
        assertThat(ConfigLoader.maskValues("key abc-long-secret", Map.of("abc", "REGISTRY_A_FILE",
                "abc-long-secret", "REGISTRY_B_FILE"))).isEqualTo("key (the content of REGISTRY_B_FILE)");
    }
}
