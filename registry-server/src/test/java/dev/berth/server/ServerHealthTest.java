package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.server.config.ConfigLoader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * The server's {@code /debug/health} follows each real dependency: S3 stopped and started again, redis-server stopped
 * and started again, an upstream that is not there (a warning: the replica still serves), and never shows a secret.
 * Results are kept for {@link dev.berth.registry.Registry#DEFAULT_HEALTH_CACHE}, so the test polls for each change.
 */
class ServerHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_KEY = "AKIA-health-test";
    private static final String SECRET_KEY = "s3-secret-never-shown-0123456789";
    private static final String REDIS_PASSWORD = "redis-password-never-shown";
    private static final String UPSTREAM_PASSWORD = "upstream-password-never-shown";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void s3StoppedIsA503NamingStorageAndS3BackIsHealthyAgain() throws Exception {
        BlobStore store = new TransientNio2BlobStore(); // kept across the restart, as a real server keeps its disk
        store.createContainer("registry");
        S3Proxy s3 = startS3(store, 0);
        int port = s3.getPort();
        String yaml = "version: 0.1\nstorage:\n  s3:\n    accesskey: " + ACCESS_KEY + "\n    secretkey: " + SECRET_KEY
                + "\n    region: us-east-1\n    regionendpoint: http://127.0.0.1:" + port + "\n    forcepathstyle: true"
                + "\n    bucket: registry\nhttp:\n  addr: 127.0.0.1:0\n  debug:\n    addr: 127.0.0.1:0\n";
        try (BerthServer server = Main.serve(ConfigLoader.parse(yaml, Map.of()))) {
            String debug = "http://127.0.0.1:" + server.debugPort().orElseThrow() + "/debug/health";
            JsonNode ok = awaitHealth(debug, 200, b -> b.at("/checks/storage/status").asText().equals("ok"));
            assertThat(ok.get("status").asText()).isEqualTo("ok");

            s3.stop();
            JsonNode failing = awaitHealth(debug, 503, b -> true);
            assertThat(failing.get("status").asText()).isEqualTo("failing");
            assertThat(failing.at("/checks/storage/status").asText()).isEqualTo("failing");
            assertThat(failing.at("/checks/storage/error").asText()).contains("storage driver 's3' is unhealthy")
                    .contains("cannot reach S3 at http://127.0.0.1:" + port);
            assertThat(failing.toString()).doesNotContain(SECRET_KEY).doesNotContain(ACCESS_KEY);

            s3 = startS3(store, port);
            awaitHealth(debug, 200, b -> b.get("status").asText().equals("ok"));
        } finally {
            s3.stop();
        }
    }

    @Test
    void redisStoppedIsA503NamingTheCacheAndRedisBackIsHealthyAgain() throws Exception {
        int port = freePort();
        RedisServer redis = RedisServer.builder().port(port).setting("bind 127.0.0.1").setting("save \"\"")
                .setting("requirepass " + REDIS_PASSWORD).build();
        redis.start();
        String yaml = "version: 0.1\nstorage:\n  filesystem: {rootdirectory: " + dir.resolve("data") + "}\n"
                + "  cache: {blobdescriptor: redis}\nredis: {addr: '127.0.0.1:" + port + "', password: "
                + REDIS_PASSWORD + ", dialtimeout: 200ms, readtimeout: 200ms}\n"
                + "http:\n  addr: 127.0.0.1:0\n  debug:\n    addr: 127.0.0.1:0\n";
        try (BerthServer server = Main.serve(ConfigLoader.parse(yaml, Map.of()))) {
            String debug = "http://127.0.0.1:" + server.debugPort().orElseThrow() + "/debug/health";
            JsonNode ok = awaitHealth(debug, 200, b -> true);
            assertThat(ok.at("/checks/storage/status").asText()).isEqualTo("ok");
            assertThat(ok.at("/checks/cache/status").asText()).isEqualTo("ok");

            redis.stop();
            JsonNode failing = awaitHealth(debug, 503, b -> true);
            assertThat(failing.at("/checks/storage/status").asText()).isEqualTo("ok");
            assertThat(failing.at("/checks/cache/status").asText()).isEqualTo("failing");
            assertThat(failing.at("/checks/cache/error").asText()).contains("127.0.0.1:" + port).contains("PING");
            assertThat(failing.toString()).doesNotContain(REDIS_PASSWORD);

            redis.start();
            awaitHealth(debug, 200, b -> b.at("/checks/cache/status").asText().equals("ok"));
        } finally {
            redis.stop();
        }
    }

    @Test
    void anUnreachableUpstreamIsAWarningAndOneThatWantsATokenIsHealthy() throws Exception {
        // A real upstream that answers /v2/ with 401, as Docker Hub does: reachable, so healthy.
        Path users = Files.writeString(dir.resolve("htpasswd"), "mirror:{SHA}" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-1").digest("mirror-pw".getBytes(StandardCharsets.UTF_8))) + "\n");
        String upstreamYaml = "version: 0.1\nstorage:\n  filesystem: {rootdirectory: " + dir.resolve("upstream")
                + "}\nhttp: {addr: '127.0.0.1:0'}\nauth:\n  htpasswd: {realm: upstream, path: " + users + "}\n";
        int closed = freePort();
        try (BerthServer upstream = Main.serve(ConfigLoader.parse(upstreamYaml, Map.of()))) {
            String yaml = "version: 0.1\nstorage:\n  filesystem: {rootdirectory: " + dir.resolve("mirror") + "}\n"
                    + "proxy:\n  upstreams:\n"
                    + "    - {prefix: hub, remoteurl: 'http://127.0.0.1:" + upstream.port() + "'}\n"
                    + "    - {prefix: gone, remoteurl: 'http://robot:" + UPSTREAM_PASSWORD + "@127.0.0.1:" + closed
                    + "', username: robot, password: " + UPSTREAM_PASSWORD + "}\n"
                    + "http:\n  addr: 127.0.0.1:0\n  debug:\n    addr: 127.0.0.1:0\n";
            try (BerthServer mirror = Main.serve(ConfigLoader.parse(yaml, Map.of()))) {
                String debug = "http://127.0.0.1:" + mirror.debugPort().orElseThrow() + "/debug/health";
                JsonNode warned = awaitHealth(debug, 200, b -> true);
                assertThat(warned.get("status").asText()).isEqualTo("warning");
                assertThat(warned.at("/checks/storage/status").asText()).isEqualTo("ok");
                assertThat(warned.at("/checks/upstream:hub/status").asText()).isEqualTo("ok");
                assertThat(warned.at("/checks/upstream:gone/status").asText()).isEqualTo("warning");
                assertThat(warned.at("/checks/upstream:gone/error").asText()).contains("upstream gone is unhealthy")
                        .contains("127.0.0.1:" + closed);
                assertThat(warned.toString()).doesNotContain(UPSTREAM_PASSWORD);
            }
        }
    }

    /** Polls the health endpoint until it answers {@code status} with a body {@code accept} takes; that body. */
    private JsonNode awaitHealth(String url, int status, Predicate<JsonNode> accept) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() == status && accept.test(body)) {
                return body;
            }
            assertThat(System.nanoTime()).as("health answers %d; last: %d %s", status, r.statusCode(), r.body())
                    .isLessThan(deadline);
            Thread.sleep(100); // between polls
        }
    }

    private static S3Proxy startS3(BlobStore store, int port) throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            assertThat(System.nanoTime()).as("S3Proxy started").isLessThan(deadline);
            Thread.sleep(10);
        }
        return proxy;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
