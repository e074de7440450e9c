package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: every way of calling it that does not serve ends with the right exit code and message. */
class MainTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(Map<String, String> env, String... args) {
        return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpAndVersion() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("serve", "garbage-collect", "REGISTRY_");
        out.reset();
        assertThat(run(Map.of(), "--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("berth registry-server ");
    }

    @Test
    void badCommandLinesExitWithTwoAndSayWhy() {
        assertThat(run(Map.of(), "serve", "a.yml", "b.yml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unexpected argument 'b.yml'");
        err.reset();
        assertThat(run(Map.of(), "--bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unexpected argument '--bogus'");
        err.reset();
        assertThat(run(Map.of(), "--port")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port needs a value");
        err.reset();
        assertThat(run(Map.of(), "--dry-run")).isEqualTo(2);
    }

    @Test
    void configurationErrorsExitWithTwoNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yml"), "version: 0.1\nstorage: {filesystem: {}}\n");
        assertThat(run(Map.of("REGISTRY_HTTP_ADDR", "nowhere"), config.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("configuration error: http.addr:");
        err.reset();
        assertThat(run(Map.of("REGISTRY_CONFIGURATION_PATH", dir.resolve("missing.yml").toString()))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.yml does not exist");
    }

    @Test
    void aMapGivenForAPasswordStopsStartupNamingTheKeyNotShowingTheMap() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yml"), "version: 0.1\nstorage: {inmemory: {}}\n"
                + "proxy: {remoteurl: https://registry.example, username: me, password: {vault: s3cr3t}}\n");
        assertThat(run(Map.of(), "serve", config.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("configuration error: proxy.password: expected a string, found a map")
                .doesNotContain("s3cr3t");
    }

    @Test
    void anUnknownStorageDriverStopsStartupListingTheKnownOnes() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yml"), "version: 0.1\nstorage: {nosuch: {}}\n"
                + "http: {addr: '127.0.0.1:0'}\n");
        assertThat(run(Map.of(), "serve", config.toString())).isEqualTo(2);
    }

    @Test
    void garbageCollectNeedsAConfigFileAndKnownFlags() {
        assertThat(run(Map.of(), "garbage-collect", "--dry-run")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("garbage-collect needs the registry's config.yml");
        assertThat(run(Map.of(), "serve", "--delete-untagged")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--delete-untagged belongs to garbage-collect");
    }
}
