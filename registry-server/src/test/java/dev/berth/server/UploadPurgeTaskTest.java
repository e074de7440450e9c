package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.error.RegistryException;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload purging as the server runs it: scheduled from the configuration, stopped with the server. */
class UploadPurgeTaskTest {
    @TempDir
    Path root;

    private String config(String maintenance) {
        return "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + root + "\n  maintenance:\n"
                + maintenance + "http:\n  addr: 127.0.0.1:0\n";
    }

    private boolean uploadExists(Registry registry, String id) {
        try {
            registry.repository("lib/app").uploads().status(id);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    @Test
    void aRunDeletesOldUploadsAndKeepsYoungOnes() throws Exception {
        Map<String, String> storage = Map.of("rootdirectory", root.toString());
        Registry old = Registry.builder().storage("filesystem", storage)
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(-8))).build();
        String abandoned = old.repository("lib/app").uploads().start().id();
        old.repository("lib/app").uploads().append(abandoned, new ByteArrayInputStream(new byte[10]));
        try (Registry registry = Registry.builder().storage("filesystem", storage).build()) {
            String young = registry.repository("lib/app").uploads().start().id();

            new UploadPurgeTask(registry, new ServerConfig.UploadPurging(true, Duration.ofHours(168),
                    Duration.ofHours(24), true)).run();
            assertThat(uploadExists(registry, abandoned)).as("after a dry run").isTrue();

            new UploadPurgeTask(registry, ServerConfig.UploadPurging.DEFAULTS).run();
            assertThat(uploadExists(registry, abandoned)).isFalse();
            assertThat(uploadExists(registry, young)).isTrue();
        }
    }

    @Test
    void theServerSchedulesPurgingByDefaultAndStopsItWhenItStops() throws Exception {
        BerthServer server = Main.serve(ConfigLoader.parse(config("    uploadpurging: {age: 1h, interval: 2h}\n"),
                Map.of()));
        Maintenance maintenance;
        try {
            maintenance = server.maintenance();
            assertThat(maintenance.tasks()).containsExactly(UploadPurgeTask.NAME);
            assertThat(maintenance.isClosed()).isFalse();
        } finally {
            server.close();
        }
        assertThat(maintenance.isClosed()).isTrue();
    }

    @Test
    void nothingIsScheduledWhenPurgingIsDisabledOrTheRegistryIsReadOnly() throws Exception {
        try (BerthServer server = Main.serve(ConfigLoader.parse(config("    uploadpurging: {enabled: false}\n"),
                Map.of()))) {
            assertThat(server.maintenance().tasks()).isEmpty();
        }
        try (BerthServer server = Main.serve(ConfigLoader.parse(config("    readonly: {enabled: true}\n"),
                Map.of()))) {
            assertThat(server.maintenance().tasks()).isEmpty();
            assertThat(server.registry().readOnly()).isTrue();
            HttpResponse<String> push = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/v2/lib/app/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody())
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(push.statusCode()).isEqualTo(405);
            assertThat(push.body()).contains("UNSUPPORTED");
        }
    }

    @Test
    void theFirstRunWaitsUpToTenMinutesOrTheIntervalWhenShorter() {
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(UploadPurgeTask.firstDelay(Duration.ofHours(24), random))
                    .isBetween(Duration.ZERO, Duration.ofMinutes(10));
            assertThat(UploadPurgeTask.firstDelay(Duration.ofSeconds(30), random))
                    .isBetween(Duration.ZERO, Duration.ofSeconds(30));
        }
    }
}
