package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Digest;
import dev.berth.server.config.ConfigLoader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/** The server builds its registry with the cache the config names, and HEAD blob is answered from it. */
class ServerCacheTest {
    @TempDir
    Path dir;

    private void pushAndHeadTwice(String cacheYaml) throws Exception {
        String yaml = "version: 0.1\nstorage:\n  filesystem: {rootdirectory: " + dir + "}\n" + cacheYaml
                + "http: {addr: '127.0.0.1:0'}\n";
        try (BerthServer server = Main.serve(ConfigLoader.parse(yaml, Map.of()))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            byte[] blob = "cached layer".getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(blob);
            HttpResponse<String> push = client.send(HttpRequest.newBuilder(URI.create(base
                    + "/v2/app/blobs/uploads/?digest=" + digest)).POST(HttpRequest.BodyPublishers.ofByteArray(blob))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(push.statusCode()).isEqualTo(201);
            for (int i = 0; i < 3; i++) {
                HttpResponse<Void> head = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/app/blobs/"
                        + digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(head.statusCode()).isEqualTo(200);
                assertThat(head.headers().firstValue("Content-Length")).contains(String.valueOf(blob.length));
            }
            assertThat(server.registry().cacheStats().hits()).as("HEADs answered from the cache").isPositive();
            assertThat(server.registry().cacheStats().errors()).isZero();
        }
    }

    @Test
    void inMemoryCacheFromTheConfig() throws Exception {
        pushAndHeadTwice("  cache: {blobdescriptor: inmemory, blobdescriptorsize: 100}\n");
    }

    @Test
    void redisCacheFromTheConfig() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisServer redis = RedisServer.builder().port(port).setting("bind 127.0.0.1").setting("save \"\"")
                .setting("requirepass pw").build();
        redis.start();
        try {
            pushAndHeadTwice("  cache: {blobdescriptor: redis}\nredis: {addr: '127.0.0.1:" + port
                    + "', password: pw, db: 1, dialtimeout: 200ms, readtimeout: 200ms, pool: {maxactive: 8}}\n");
        } finally {
            redis.stop();
        }
    }
}
