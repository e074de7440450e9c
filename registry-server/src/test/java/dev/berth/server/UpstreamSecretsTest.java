package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials written into a URL ({@code proxy.remoteurl: http://user:secret@host}, a notification endpoint's URL)
 * reach neither clients nor the log: error details, the refusal of a push, startup lines, warnings and exceptions
 * logged with their causes show the user and {@code ***} in place of the password. A failure without a message of its
 * own is named by its class, never as {@code null}.
 */
class UpstreamSecretsTest {
    static final String USER = "mirror-user";
    static final String SECRET = "hunter2-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newHttpClient();
    CapturedLog log;
    BerthServer upstream;
    BerthServer mirror;

    @BeforeEach
    void capture() {
        log = new CapturedLog();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (mirror != null) {
                mirror.close();
            }
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            log.close();
        }
    }

    @Test
    void aPasswordInTheUpstreamUrlReachesNeitherClientsNorTheLog() throws Exception {
        Registry origin = Registry.builder().storage("inmemory", Map.of()).build();
        upstream = BerthServer.start(origin, "127.0.0.1", 0);
        Blob config = TestContent.randomBlob(new Random(3), 100);
        Blob layer = TestContent.randomBlob(new Random(4), 1000);
        var repo = origin.repository("library/app");
        for (Blob b : List.of(config, layer)) {
            repo.uploads().put(b.digest(), new ByteArrayInputStream(b.bytes()));
        }
        repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST,
                TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer))));
        String remote = "http://" + USER + ":" + SECRET + "@127.0.0.1:" + upstream.port();
        String shown = "http://" + USER + ":***@127.0.0.1:" + upstream.port();
        // ttl 0s: every pull of a tag asks the upstream again, so its failure is seen with a copy in storage.
        ServerConfig c = ConfigLoader.parse("version: 0.1\nstorage: {inmemory: {}}\nhttp: {addr: '127.0.0.1:0'}\n"
                + "proxy: {remoteurl: '" + remote + "', ttl: 0s}\n", Map.of());
        mirror = Main.serve(c);
        List<String> startup = Main.configurationLines(c);
        assertThat(startup).contains("pull-through cache: Upstream[* -> " + shown + ", ttl=PT0S]");

        assertThat(get("/v2/library/app/manifests/v1").statusCode()).isEqualTo(200); // now cached

        // Pushes are refused: the 405 names the upstream, without its password.
        HttpResponse<String> push = http.send(request("/v2/library/app/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(push.statusCode()).isEqualTo(405);
        assertThat(detail(push, "UNSUPPORTED")).contains("pull-through cache of " + shown);

        upstream.close();
        upstream = null;
        // A tag in storage is served as cached; the warning names the upstream and why it failed.
        assertThat(get("/v2/library/app/manifests/v1").statusCode()).isEqualTo(200);
        String warning = log.await(e -> e.contains("serving library/app:v1 as cached"), Duration.ofSeconds(10));
        assertThat(warning).contains("upstream " + shown + " failed (ConnectException");

        // What is not in storage is 503, saying which upstream failed and how, not "failed: null".
        HttpResponse<String> manifest = get("/v2/library/app/manifests/v2");
        assertThat(manifest.statusCode()).isEqualTo(503);
        assertThat(detail(manifest, "UNAVAILABLE")).startsWith("manifest v2 is not cached and the upstream " + shown
                + " failed: ConnectException");
        Digest missing = Digest.sha256(new byte[] {1, 2, 3});
        HttpResponse<String> blob = get("/v2/library/app/blobs/" + missing);
        assertThat(blob.statusCode()).isEqualTo(503);
        assertThat(detail(blob, "UNAVAILABLE")).startsWith("blob " + missing + " is not cached and the upstream "
                + shown + " failed: ConnectException");

        log.await(e -> e.contains("GET /v2/library/app/blobs/" + missing), Duration.ofSeconds(10));
        String logged = String.join("\n", log.events());
        assertThat(logged).contains(USER + ":***@").doesNotContain(SECRET).doesNotContain("failed: null");
        assertThat(String.join("\n", startup) + manifest.body() + blob.body() + push.body()).doesNotContain(SECRET);
    }

    @Test
    void aNotificationEndpointsCredentialsStayOutOfTheLog() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort(); // nothing listens there once the probe is closed: connections are refused
        }
        ServerConfig c = ConfigLoader.parse("""
                version: 0.1
                storage: {inmemory: {}}
                http: {addr: '127.0.0.1:0'}
                notifications:
                  endpoints:
                    - name: hook
                      url: http://hook-user:hook-secret@127.0.0.1:%d/events?token=token-secret
                      timeout: 2s
                      threshold: 1
                      backoff: 10s
                """.formatted(closed), Map.of());
        assertThat(c.notifications().toString()).doesNotContain("hook-secret", "token-secret");
        mirror = Main.serve(c);
        byte[] bytes = "an event".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> push = http.send(request("/v2/app/blobs/uploads/?digest=" + Digest.sha256(bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(push.statusCode()).isEqualTo(201);

        String failure = log.await(e -> e.contains("notification endpoint hook (") && e.contains("failed:"),
                Duration.ofSeconds(20));
        assertThat(failure).contains("http://hook-user:***@127.0.0.1:" + closed + "/events?token=***")
                .contains("failed: ConnectException").doesNotContain("failed: null");
        assertThat(String.join("\n", log.events())).contains("hook-user:***@").doesNotContain("hook-secret")
                .doesNotContain("token-secret");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mirror.port() + path));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).header("Accept", MediaTypes.OCI_MANIFEST).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String detail(HttpResponse<String> r, String code) throws Exception {
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
        JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).as(r.body()).isEqualTo(code);
        String detail = error.path("detail").asText();
        assertThat(detail).doesNotContain(SECRET).doesNotContain("null");
        return detail;
    }
}
