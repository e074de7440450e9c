package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.testkit.TestContent;
import dev.berth.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server applies the retention policies on its maintenance schedule; not while read-only. */
class RetentionScheduleTest {
    @TempDir
    Path root;

    private String config(String extra) {
        return "version: 0.1\nstorage:\n  filesystem: {rootdirectory: " + root + "}\n  delete: {enabled: true}\n"
                + extra + "http: {addr: '127.0.0.1:0'}\n"
                + "retention:\n  interval: 1s\n  policies:\n    - {repositories: ['ci/**'], keeplast: 1}\n";
    }

    @Test
    void theScheduleKeepsTheNewestTagAndDeletesTheRest() throws Exception {
        try (BerthServer server = Main.serve(ConfigLoader.parse(config(""), Map.of()))) {
            assertThat(server.maintenance().tasks()).contains("retention");
            var repo = server.registry().repository("ci/app");
            var config = TestContent.text("{}");
            repo.uploads().put(config.digest(), new ByteArrayInputStream(config.bytes()));
            for (String tag : List.of("build-1", "build-2", "build-3")) {
                byte[] m = TestContent.utf8(TestContent.imageManifest(false, config, List.of()).replace("\"layers\"",
                        "\"annotations\": {\"tag\": \"" + tag + "\"},\n  \"layers\""));
                repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, m);
                Thread.sleep(20); // distinct push times (a lower bound: a loaded machine only spreads them more)
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (repo.tags().list().size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(repo.tags().list()).containsExactly(new Tag("build-3"));
            assertThat(repo.manifests().get(Reference.parse("build-3"))).isPresent();
        }
    }

    @Test
    void aReadOnlyServerDoesNotScheduleIt() throws Exception {
        try (BerthServer server = Main.serve(ConfigLoader.parse(config("  maintenance: {readonly: {enabled: true}}\n"),
                Map.of()))) {
            assertThat(server.maintenance().tasks()).doesNotContain("retention");
        }
    }
}
