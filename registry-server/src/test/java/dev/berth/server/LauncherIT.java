package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/berth}: the first start records a JVM archive of the server's classes in a training run before it starts
 * the server from it, and the next start runs from the same archive, on the Java this test runs on (AppCDS before 25,
 * the AOT cache from 25 on).
 */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void recordsAnArchiveInATrainingRunAndStartsFromIt() throws Exception {
        Path cache = dir.resolve("cache");
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("BERTH_CACHE_DIR", cache.toString(), "REGISTRY_HTTP_ADDR", "127.0.0.1:0",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", data.toString());
        boolean aot = Runtime.version().feature() >= 25;
        List<Path> archives;
        try (ServerProcess first = ServerProcess.launch(dir.resolve("first.log"), env)) {
            first.awaitListening(Duration.ofMinutes(3)); // Java 25 assembles the AOT cache in a child JVM first
            archives = archives(cache); // recorded before the server started
            assertThat(getV2(first)).isEqualTo(200);
            first.terminate();
            first.awaitExit(Duration.ofMinutes(1));
        }
        String java = System.getProperty("java.version");
        assertThat(archives).singleElement().satisfies(a -> {
            assertThat(a.getFileName().toString()).startsWith("registry-server-java" + java + "-")
                    .endsWith(aot ? ".aot" : ".jsa");
            assertThat(Files.size(a)).isGreaterThan(1 << 20);
        });
        String name = archives.get(0).getFileName().toString();
        Path trainingLog = cache.resolve(name.substring(0, name.lastIndexOf('.')) + ".log");
        assertThat(Files.readString(trainingLog)).as("the training pushed and pulled through the server")
                .contains("\"PUT /v2/training/image/manifests/v0\" 201")
                .contains("\"GET /v2/training/image/blobs/sha256:");
        assertThat(Files.readString(dir.resolve("first.log"))).contains("recording a class archive")
                .doesNotContain("training run failed");
        try (Stream<Path> files = Files.walk(data)) {
            assertThat(files).as("training used a folder of its own").noneMatch(f -> f.toString().contains("training"));
        }

        // Told to use the archive or fail, the JVM starts only when it can map it.
        Map<String, String> strict = new HashMap<>(env);
        strict.put("JAVA_OPTS", aot ? "-XX:AOTMode=on" : "-Xshare:on");
        try (ServerProcess second = ServerProcess.launch(dir.resolve("second.log"), strict)) {
            second.awaitListening(Duration.ofSeconds(60));
            assertThat(getV2(second)).isEqualTo(200);
            second.terminate();
            second.awaitExit(Duration.ofMinutes(1));
        }
        assertThat(Files.readString(dir.resolve("second.log"))).doesNotContain("recording a class archive");
        assertThat(archives(cache)).isEqualTo(archives);
    }

    private static int getV2(ServerProcess server) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port
                + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static List<Path> archives(Path cache) throws Exception {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.toString().endsWith(".jsa") || f.toString().endsWith(".aot")).sorted().toList();
        }
    }
}
