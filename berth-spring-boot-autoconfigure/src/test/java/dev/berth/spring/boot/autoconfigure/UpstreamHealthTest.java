package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The health contributor {@code berthUpstreams}: one indicator per pull-through upstream, each a real registry (an
 * application with the starter, in this JVM); the one that is stopped turns DOWN, the other stays UP, and a health
 * group that includes {@code berth} but not {@code berthUpstreams} stays UP.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"berth.storage.inmemory=", "management.endpoint.health.show-details=always",
                "management.endpoint.health.group.probe.include=berth"})
class UpstreamHealthTest {
    static ConfigurableApplicationContext kept;
    static ConfigurableApplicationContext stopped;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry properties) {
        kept = upstreamApplication();
        stopped = upstreamApplication();
        int keptPort = ((WebServerApplicationContext) kept).getWebServer().getPort();
        int stoppedPort = ((WebServerApplicationContext) stopped).getWebServer().getPort();
        // A list is bound from one property source: every upstream is set here.
        properties.add("berth.proxy.remoteurl", () -> "http://127.0.0.1:" + keptPort);
        properties.add("berth.proxy.upstreams[0].prefix", () -> "mirror/team");
        properties.add("berth.proxy.upstreams[0].remoteurl",
                () -> "http://someone:upstream-secret@127.0.0.1:" + stoppedPort);
    }

    private static ConfigurableApplicationContext upstreamApplication() {
        return new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "berth.storage.inmemory=", "spring.main.banner-mode=off",
                        "spring.jmx.enabled=false", "management.endpoints.enabled-by-default=false")
                .run();
    }

    @AfterAll
    static void stop() {
        kept.close();
        stopped.close();
    }

    @Test
    void eachUpstreamIsAComponentAndTheStoppedOneTurnsDown() throws Exception {
        String up = health("/actuator/health/berthUpstreams");
        assertThat(up).contains("\"*\":{\"details\":{\"url\":\"http://127.0.0.1:")
                .contains("\"mirror:team\":{\"details\":{\"url\":\"http://someone:***@127.0.0.1:")
                .doesNotContain("upstream-secret")
                .contains("\"status\":\"UP\"").doesNotContain("DOWN");

        stopped.close();

        // The registry keeps a check's result for a few seconds: ask until the stopped upstream's shows, by a deadline.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(health("/actuator/health/berthUpstreams/mirror:team")).contains("\"status\":\"DOWN\"")
                        .contains("\"error\":\"upstream mirror/team is unhealthy"));
        assertThat(health("/actuator/health/berthUpstreams/*")).contains("\"status\":\"UP\"");
        assertThat(health("/actuator/health/berth")).as("the registry itself is well").contains("\"status\":\"UP\"")
                .doesNotContain("DOWN");
        assertThat(health("/actuator/health/berthUpstreams/mirror:team")).doesNotContain("upstream-secret");
        assertThat(health("/actuator/health")).as("Actuator's aggregate counts every component").startsWith("503 ");
        assertThat(health("/actuator/health/probe")).as("a group without the upstreams").startsWith("200 ");
    }

    private String health(String path) throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get(path);
        return response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8);
    }
}
