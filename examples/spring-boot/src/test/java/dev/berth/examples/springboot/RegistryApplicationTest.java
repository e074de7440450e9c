package dev.berth.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Starts the application on a free port, pushes an image to it with jib, and finds it in the application, in
 * Actuator's health and in {@code /actuator/prometheus}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryApplicationTest {
    @TempDir
    static Path data;
    @TempDir
    Path work;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry properties) {
        properties.add("berth.storage.filesystem.rootdirectory", () -> data.toString());
    }

    @BeforeAll
    static void plainHttp() {
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @Test
    void jibPushesToTheApplicationAndTheApplicationSeesTheImage() throws Exception {
        Path app = Files.writeString(work.resolve("app.txt"), "pushed to a Spring Boot application\n");

        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(app), AbsoluteUnixPath.get("/app"))
                .containerize(Containerizer.to(RegistryImage.named("127.0.0.1:" + port + "/demo/app:1.0"))
                        .setAllowInsecureRegistries(true));

        HttpResponse<String> tags = get("/v2/demo/app/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(tags.body()).isEqualTo("{\"name\":\"demo/app\",\"tags\":[\"1.0\"]}");
        HttpResponse<String> manifest = get("/v2/demo/app/manifests/1.0");
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Docker-Content-Digest"))
                .hasValue(pushed.getDigest().toString());
        assertThat(get("/repositories").body()).isEqualTo("[\"demo/app\"]");
        assertThat(Files.isDirectory(data.resolve("docker/registry/v2/repositories/demo/app"))).isTrue();
        // Recorded when each request completed, which may be just after jib had its answer: polled, with a deadline.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).containsPattern("(?m)^berth_http_requests_seconds_count\\{method=\"PUT\","
                    + "route=\"manifest\",status=\"201\"\\} 1").contains("berth_blob_upload_seconds_count");
        });
    }

    @Test
    void healthShowsTheRegistrysStorage() throws Exception {
        HttpResponse<String> health = get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"berth\":{\"components\":{\"cache\":{\"status\":\"UP\"},"
                + "\"storage\":{\"status\":\"UP\"}},\"status\":\"UP\"}");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, "
                        + "application/vnd.oci.image.manifest.v1+json, application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
