package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Reference;
import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter in a Spring Boot web application: the registry answers at /v2/ of the application's own server. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"berth.storage.delete.enabled=true", "berth.cache.inmemory.size=1000",
                "management.endpoint.health.show-details=always", "berth.http.headers.X-Content-Type-Options=nosniff",
                "management.endpoints.web.exposure.include=health,metrics,prometheus",
                "berth.http.limits.bodytimeout=3s"})
class RegistryStarterTest {
    @TempDir
    static Path root;
    @TempDir
    Path work;

    @LocalServerPort
    int port;
    @Autowired
    Registry registry;
    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry properties) {
        properties.add("berth.storage.filesystem.rootdirectory", () -> root.toString());
    }

    @BeforeAll
    static void plainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @Test
    void answersTheBaseEndpointWithTheApiVersion() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).as("berth.http.headers")
                .hasValue("nosniff");
    }

    @Test
    void pushesABlobIntoTheConfiguredFolderAndPullsItBack() throws Exception {
        byte[] blob = "a layer pushed through Spring Boot".getBytes(StandardCharsets.UTF_8);
        String digest = Client.digest(blob);

        assertThat(Client.at(port).pushBlob("demo/app", blob).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> pulled = Client.at(port).get("/v2/demo/app/blobs/" + digest);

        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(blob);
        String hex = digest.substring("sha256:".length());
        assertThat(root.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data"))
                .hasBinaryContent(blob);
    }

    @Test
    void jibPushesAnImageAndPullsItBack() throws Exception {
        byte[] random = new byte[300_000];
        new Random(17).nextBytes(random); // incompressible, so the pulled tar shows the bytes
        Path lib = Files.write(work.resolve("lib.bin"), random);
        String image = "127.0.0.1:" + port + "/jib/app:1.0";

        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(lib), AbsoluteUnixPath.get("/lib"))
                .containerize(Containerizer.to(RegistryImage.named(image)).setAllowInsecureRegistries(true));

        assertThat(registry.repository("jib/app").manifests().getOrThrow(Reference.parse("1.0")).digest()
                .toString()).isEqualTo(pushed.getDigest().toString());
        Path tar = work.resolve("pulled.tar");
        JibContainer pulled = Jib.from(RegistryImage.named(image))
                .containerize(Containerizer.to(TarImage.at(tar).named("pulled:1")).setAllowInsecureRegistries(true));
        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
        assertThat(Files.size(tar)).isGreaterThan(300_000);
    }

    @Test
    void actuatorHealthShowsStorageAndCache() throws Exception {
        HttpResponse<byte[]> health = Client.at(port).get("/actuator/health/berth");

        assertThat(health.statusCode()).isEqualTo(200);
        String body = new String(health.body(), StandardCharsets.UTF_8);
        assertThat(body).contains("\"storage\":{\"status\":\"UP\"}").contains("\"cache\":{\"status\":\"UP\"}");
    }

    @Test
    void berthsMetricsAreInTheApplicationsMeterRegistry() throws Exception {
        byte[] blob = new byte[50_000];
        new Random(5).nextBytes(blob);
        String digest = Client.digest(blob);
        long uploadsBefore = meters.get("berth.blob.upload").timer().count();
        long pullsBefore = meters.get("berth.blob.pull").timer().count();

        assertThat(Client.at(port).pushBlob("metrics/app", blob).statusCode()).isEqualTo(201);
        assertThat(Client.at(port).get("/v2/metrics/app/blobs/" + digest).statusCode()).isEqualTo(200);

        // A request is recorded once it completed, which may be just after its client has the answer: no event tells
        // the test, so it polls, with a deadline.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(meters.get("berth.blob.upload").timer().count()).isEqualTo(uploadsBefore + 1);
            assertThat(meters.get("berth.blob.pull").timer().count()).isEqualTo(pullsBefore + 1);
            assertThat(meters.get("berth.http.requests").tags("route", "upload_start", "method", "POST",
                    "status", "201").timer().count()).isGreaterThanOrEqualTo(1);
            assertThat(meters.get("berth.http.received.bytes").tag("route", "upload_start").counter().count())
                    .isGreaterThanOrEqualTo(50_000);
            assertThat(meters.get("berth.http.sent.bytes").tag("route", "blob").counter().count())
                    .isGreaterThanOrEqualTo(50_000);
        });
        HttpResponse<byte[]> actuator = Client.at(port).get("/actuator/metrics/berth.http.requests?tag=route:blob");
        assertThat(actuator.statusCode()).isEqualTo(200);
        assertThat(new String(actuator.body(), StandardCharsets.UTF_8)).contains("\"name\":\"berth.http.requests\"")
                .contains("\"status\"").contains("\"200\"");
    }

    @Test
    void actuatorPrometheusShowsBerthsMetricsUnderTheServersNames() throws Exception {
        byte[] blob = new byte[40_000];
        new Random(11).nextBytes(blob);
        String digest = Client.digest(blob);
        assertThat(Client.at(port).pushBlob("scraped/app", blob).statusCode()).isEqualTo(201);
        assertThat(Client.at(port).get("/v2/scraped/app/blobs/" + digest).statusCode()).isEqualTo(200);

        // Recorded once each request completed (see above): scrape until both show, with a deadline.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<byte[]> scrape = Client.at(port).get("/actuator/prometheus");
            assertThat(scrape.statusCode()).isEqualTo(200);
            String text = new String(scrape.body(), StandardCharsets.UTF_8);
            assertThat(text)
                    .containsPattern("(?m)^berth_http_requests_seconds_count\\{[^}]*route=\"upload_start\"[^}]*\\} ")
                    .containsPattern("(?m)^berth_http_requests_seconds_count\\{method=\"GET\",route=\"blob\","
                            + "status=\"200\"\\} [1-9]")
                    .containsPattern("(?m)^berth_blob_upload_seconds_count [1-9]")
                    .containsPattern("(?m)^berth_blob_pull_seconds_count [1-9]")
                    .containsPattern("(?m)^berth_http_received_bytes_total\\{route=\"upload_start\"\\} ")
                    .containsPattern("(?m)^berth_http_sent_bytes_total\\{route=\"blob\"\\} ")
                    .contains("berth_http_limit_hits_total{limit=\"body_timeout\"}")
                    .contains("berth_storage_errors_total{route=\"manifest\"}")
                    .contains("berth_cache_hits_total");
        });
    }

    @Test
    void actuatorHealthListsTheRegistrysComponents() throws Exception {
        HttpResponse<byte[]> health = Client.at(port).get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new String(health.body(), StandardCharsets.UTF_8)).contains("\"status\":\"UP\"")
                .contains("\"berth\":{\"components\":{\"cache\":{\"status\":\"UP\"},"
                        + "\"storage\":{\"status\":\"UP\"}},\"status\":\"UP\"}")
                .as("no upstreams, no contributor for them").doesNotContain("berthUpstreams");
    }

    @Test
    void aManifestThatStallsIsCutOffByTheBodyTimeoutAndCounted() throws Exception {
        double before = meters.get("berth.http.limit.hits").tag("limit", "body_timeout").counter().count();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // 1000 bytes announced, 18 sent: the rest never comes.
            out.write(("PUT /v2/slow/app/manifests/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 1000\r\n\r\n"
                    + "{\"schemaVersion\":2").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // closes

            assertThat(answer).startsWith("HTTP/1.1 400").contains("MANIFEST_INVALID");
        }
        // Counted before the answer was written.
        assertThat(meters.get("berth.http.limit.hits").tag("limit", "body_timeout").counter().count())
                .isEqualTo(before + 1);
    }

    @Test
    void theApplicationKeepsItsOtherPaths() throws Exception {
        assertThat(Client.at(port).get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(Client.at(port).get("/v2x").statusCode()).isEqualTo(404);
    }
}
