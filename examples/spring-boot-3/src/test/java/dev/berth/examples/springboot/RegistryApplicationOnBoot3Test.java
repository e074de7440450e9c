package dev.berth.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.servlet.ServletOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.catalina.util.ServerInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.SpringVersion;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * examples/spring-boot's application on Spring Boot 3.5, with the starter built for Boot 4: jib pushes to it and pulls
 * back, the registry's errors, headers and metrics (in /actuator/prometheus too) are there, and berth.* durations take
 * config.yml's form; only Actuator's health has no Berth indicator (Boot 4
 * moved the health API to other packages, and one module cannot implement both).
 */
// Boot 3's tests turn metrics export off unless asked: this asks, for /actuator/prometheus (Boot 4's do not).
@AutoConfigureObservability(tracing = false)
@SpringBootTest(classes = RegistryApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"berth.http.headers.X-Content-Type-Options=nosniff",
                "management.endpoints.web.exposure.include=health,metrics,prometheus"})
class RegistryApplicationOnBoot3Test {
    @TempDir
    static Path data;
    @TempDir
    Path work;

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;
    @Autowired
    ServletOptions options;

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
    void runsOnSpringBoot35() {
        assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
        assertThat(SpringVersion.getVersion()).startsWith("6.2.");
        assertThat(ServerInfo.getServerNumber()).as("Boot 3.5's Tomcat").startsWith("10.1.");
    }

    @Test
    void jibPushesToTheApplicationAndPullsBack() throws Exception {
        Path app = Files.writeString(work.resolve("app.txt"), "pushed to a Spring Boot 3.5 application\n");
        String image = "127.0.0.1:" + port + "/demo/boot3:1.0";

        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(app), AbsoluteUnixPath.get("/app"))
                .containerize(Containerizer.to(RegistryImage.named(image)).setAllowInsecureRegistries(true));
        JibContainer pulled = Jib.from(RegistryImage.named(image))
                .containerize(Containerizer.to(TarImage.at(work.resolve("pulled.tar")).named("pulled:1"))
                        .setAllowInsecureRegistries(true));

        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
        HttpResponse<String> tags = get("/v2/demo/boot3/tags/list");
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(tags.body()).isEqualTo("{\"name\":\"demo/boot3\",\"tags\":[\"1.0\"]}");
        assertThat(tags.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(get("/repositories").body()).contains("\"demo/boot3\"");
        assertThat(Files.isDirectory(data.resolve("docker/registry/v2/repositories/demo/boot3"))).isTrue();
        // Recorded when each request completed, which may be just after jib had its answer: polled, with a deadline.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(meters.get("berth.http.requests")
                .tags("route", "manifest", "method", "PUT", "status", "201").timer().count()).isEqualTo(1));
        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).containsPattern("(?m)^berth_http_requests_seconds_count\\{method=\"PUT\","
                + "route=\"manifest\",status=\"201\"\\} 1");
    }

    @Test
    void durationsTakeConfigYmlsForm() {
        assertThat(options.limits().bodyTimeout()).as("application.yml's 1m30s").isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void theRegistrysErrorsAreItsOwn() throws Exception {
        HttpResponse<String> missing = get("/v2/demo/none/manifests/latest");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).startsWith("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"");
    }

    @Test
    void healthHasNoBerthIndicatorOnBoot3() throws Exception {
        HttpResponse<String> health = get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("\"berth\"");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
