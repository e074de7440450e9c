package dev.berth.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.junit.BerthRegistryExtension;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The driver under a whole registry served over HTTP, as a client sees it: registry-junit's extension serves it. */
class MapStorageOverHttpTest {
    @RegisterExtension
    static final BerthRegistryExtension REGISTRY = BerthRegistryExtension.builder()
            .configure(registry -> registry.storage("map", Map.of("maxobjectsize", "1048576")))
            .build();

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBlobPushedOverHttpIsStoredByTheDriverAndServedBack(URI uri, Registry registry) throws Exception {
        byte[] blob = "pushed over HTTP into a ConcurrentHashMap".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);

        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(
                uri.resolve("/v2/custom/http/blobs/uploads/?digest=" + digest))
                .POST(BodyPublishers.ofByteArray(blob)).build(), BodyHandlers.ofString());
        HttpResponse<byte[]> pulled = http.send(HttpRequest.newBuilder(uri.resolve("/v2/custom/http/blobs/" + digest))
                .build(), BodyHandlers.ofByteArray());

        assertThat(pushed.statusCode()).isEqualTo(201);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(blob);
        assertThat(registry.repository("custom/http").blobs().stat(digest)).isPresent();
    }
}
