package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.servlet.ServletOptions;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up beside a start: it pushes and pulls for real, elsewhere, and leaves nothing behind. */
class WarmupTest {
    @TempDir
    Path dir;

    private ServerConfig config() throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data")
                + "\nhttp:\n  addr: 127.0.0.1:0\n", StandardCharsets.UTF_8);
        return ConfigLoader.load(file, Map.of());
    }

    @Test
    void aStartWarmsUpBesideTheServerWithoutTouchingItsRegistryOrMetrics() throws Exception {
        try (BerthServer server = Main.serve(config())) {
            Warmup warmup = server.warmup().orElseThrow();
            // Completes normally only when every request of its push and pull got the status it should.
            Duration took = warmup.done().get(2, TimeUnit.MINUTES);
            assertThat(took).isPositive();
            Path folder = warmup.folder().orElseThrow();
            assertThat(folder).doesNotExist();
            assertThat(folder.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
            assertThat(server.registry().catalog()).isEmpty();
            try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
            assertThat(server.metrics().scrape()).doesNotContainPattern(
                    "berth_http_requests_seconds_count\\{[^}]*\\} [1-9]");
        }
    }

    @Test
    void closingStopsAWarmupAtAnyPointAndItsFolderGoes() throws Exception {
        ServerConfig.Http http = config().http();
        for (int i = 0; i < 3; i++) {
            Path tmp = Files.createDirectory(dir.resolve("tmp" + i));
            Warmup warmup = Warmup.start(http, ServletOptions.DEFAULTS, tmp);
            if (i > 0) {
                // Later rounds close once the throwaway registry exists: mid-way, or after the end.
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                while (warmup.folder().isEmpty() && !warmup.done().isDone() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                assertThat(warmup.folder()).isPresent();
            }
            warmup.close();
            try {
                warmup.done().orTimeout(2, TimeUnit.MINUTES).join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isNotInstanceOf(java.util.concurrent.TimeoutException.class);
            }
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void theSystemPropertyTurnsItOff() throws Exception {
        String before = System.getProperty(Warmup.PROPERTY);
        System.setProperty(Warmup.PROPERTY, "false");
        try (BerthServer server = Main.serve(config())) {
            assertThat(server.warmup()).isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(Warmup.PROPERTY);
            } else {
                System.setProperty(Warmup.PROPERTY, before);
            }
        }
    }
}
