package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BerthServerTest {
    @TempDir
    Path root;

    @Test
    void servesTheApiFromAFolderAndLeavesDistributionsLayout() throws Exception {
        Registry registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        try (BerthServer server = BerthServer.start(registry, "127.0.0.1", 0)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> v2 = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(v2.statusCode()).isEqualTo(200);
            assertThat(v2.headers().firstValue("Server")).isEmpty();

            byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
            Digest d = Digest.sha256(blob);
            HttpResponse<String> push = client.send(HttpRequest.newBuilder(URI.create(base
                    + "/v2/demo/blobs/uploads/?digest=" + d)).POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(push.statusCode()).isEqualTo(201);
            assertThat(root.resolve("docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex()
                    + "/data")).hasContent("hello");
        }
    }
}
