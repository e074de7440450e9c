package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.berth.notifications.Notifier;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.server.config.ConfigLoader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server from a config file: notifications configured there reach a real receiver. */
class ServerNotificationsTest {
    @TempDir
    Path dir;

    @Test
    void aConfiguredEndpointReceivesTheServersEvents() throws Exception {
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        receiver.createContext("/hook", exchange -> {
            try (exchange) {
                JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes());
                authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                body.path("events").forEach(events::add);
                exchange.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        String sha1 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest("pw".getBytes(StandardCharsets.UTF_8)));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}" + sha1 + "\n");
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: '127.0.0.1:0'}
                auth:
                  htpasswd: {realm: test, path: %s}
                notifications:
                  events: {includereferences: true}
                  endpoints:
                    - name: hook
                      url: http://127.0.0.1:%d/hook
                      headers: {Authorization: [Bearer hook-token]}
                      timeout: 30s
                      threshold: 3
                      backoff: 100ms
                      ignore: {actions: [pull]}
                    - name: off
                      disabled: true
                """.formatted(dir.resolve("data"), htpasswd, receiver.getAddress().getPort()));
        String auth = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));
        byte[] cfg = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(cfg)
                + "\",\"size\":" + cfg.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        try {
            BerthServer server = Main.serve(ConfigLoader.load(config, Map.of()));
            String base = "http://127.0.0.1:" + server.port();
            try {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (byte[] blob : List.of(cfg, layer)) {
                    assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/v2/app/blobs/uploads/?digest="
                            + Digest.sha256(blob))).header("Authorization", auth)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(201);
                }
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/v2/app/manifests/v1"))
                        .header("Authorization", auth).header("Content-Type", MediaTypes.OCI_MANIFEST)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(201);
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/v2/app/manifests/v1"))
                        .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode()).isEqualTo(200);
                assertThat(server.notifier()).hasValueSatisfying(n ->
                        assertThat(n.endpoints()).extracting(e -> e.name()).containsExactly("hook"));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!server.metrics().scrape().contains("berth_notifications_delivered_total{endpoint=\"hook\"} 3.0")
                        && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(server.metrics().scrape()).contains(
                        "berth_notifications_delivered_total{endpoint=\"hook\"} 3.0",
                        "berth_notifications_dropped_total{endpoint=\"hook\"} 0.0",
                        "berth_notifications_pending{endpoint=\"hook\"} 0.0");
            } finally {
                server.close(); // drains the queue: what was pushed has been delivered when it returns
            }
        } finally {
            receiver.stop(0);
        }
        assertThat(events).extracting(e -> e.path("action").asText() + " " + e.path("target").path("digest").asText())
                .as("the pull is ignored").containsExactly("push " + Digest.sha256(cfg), "push " + Digest.sha256(layer),
                        "push " + Digest.sha256(manifest));
        JsonNode pushed = events.get(2);
        assertThat(pushed.path("target").path("tag").asText()).isEqualTo("v1");
        assertThat(pushed.path("target").path("repository").asText()).isEqualTo("app");
        assertThat(pushed.path("target").path("references")).hasSize(2);
        assertThat(pushed.path("actor").path("name").asText()).isEqualTo("alice");
        assertThat(pushed.path("source").path("instanceID").asText()).isEqualTo(Notifier.INSTANCE_ID);
        assertThat(pushed.path("source").path("addr").asText()).endsWith(":0");
        assertThat(authorizations).containsOnly("Bearer hook-token");
        assertThat(contentTypes).containsOnly("application/vnd.docker.distribution.events.v1+json");
        List<String> ids = new ArrayList<>();
        events.forEach(e -> ids.add(e.path("id").asText()));
        assertThat(ids).doesNotHaveDuplicates();
    }
}
