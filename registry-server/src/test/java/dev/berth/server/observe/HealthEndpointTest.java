package dev.berth.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code /debug/health} with several named checks: failures, warnings, order, masking, checks run at once. */
class HealthEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> health(DebugServer debug) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debug.port()
                + DebugServer.HEALTH_PATH)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFailingWarningAnswers200AndAFailingFailure503WithEveryCheckNamedInOrder() throws Exception {
        try (DebugServer warned = DebugServer.builder().address("127.0.0.1", 0)
                .check("storage", Optional::empty)
                .warning("upstream:docker.io", () -> Optional.of("cannot reach upstream https://registry-1.docker.io"))
                .start()) {
            HttpResponse<String> r = health(warned);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"status\":\"warning\",\"checks\":{\"storage\":{\"status\":\"ok\"},"
                    + "\"upstream:docker.io\":{\"status\":\"warning\",\"error\":\"cannot reach upstream "
                    + "https://registry-1.docker.io\"}}}");
        }
        try (DebugServer failed = DebugServer.builder().address("127.0.0.1", 0)
                .check("storage", Optional::empty)
                .check("cache", () -> Optional.of("redis cache 10.0.0.5:6379 does not answer PING"))
                .warning("upstream:*", () -> Optional.of("down"))
                .start()) {
            HttpResponse<String> r = health(failed);
            assertThat(r.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("status").asText()).isEqualTo("failing");
            assertThat(List.of(body.get("checks").fieldNames().next())).containsExactly("storage");
            assertThat(body.at("/checks/cache/status").asText()).isEqualTo("failing");
            assertThat(body.at("/checks/cache/error").asText()).contains("PING");
            assertThat(body.at("/checks/upstream:*/status").asText()).isEqualTo("warning");
            assertThat(body.at("/checks/storage/error").isMissingNode()).isTrue();
        }
    }

    @Test
    void theChecksRunAtOnce() throws Exception {
        // Each check waits for the other to have started: run one after the other, both would time out.
        CountDownLatch a = new CountDownLatch(1);
        CountDownLatch b = new CountDownLatch(1);
        try (DebugServer debug = DebugServer.builder().address("127.0.0.1", 0)
                .check("a", () -> meet(a, b))
                .check("b", () -> meet(b, a))
                .start()) {
            HttpResponse<String> r = health(debug);
            assertThat(r.body()).isEqualTo("{\"status\":\"ok\",\"checks\":{\"a\":{\"status\":\"ok\"},\"b\":"
                    + "{\"status\":\"ok\"}}}");
        }
    }

    private static Optional<String> meet(CountDownLatch mine, CountDownLatch theirs) {
        mine.countDown();
        try {
            return theirs.await(5, TimeUnit.SECONDS) ? Optional.empty() : Optional.of("ran alone");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    @Test
    void passwordsInUrlsAndSignaturesAreMasked() throws Exception {
        try (DebugServer debug = DebugServer.builder().address("127.0.0.1", 0)
                .check("storage", () -> {
                    throw new IllegalStateException("cannot reach S3 at https://AKIAEXAMPLE:s3cr3t@s3.example.com/b"
                            + "?X-Amz-Credential=AKIAEXAMPLE%2F2026&X-Amz-Signature=deadbeef&partNumber=1");
                })
                .start()) {
            String body = health(debug).body();
            assertThat(body).doesNotContain("s3cr3t").doesNotContain("AKIAEXAMPLE").doesNotContain("deadbeef")
                    .contains("https://***@s3.example.com/b?X-Amz-Credential=***&X-Amz-Signature=***&partNumber=1");
        }
    }

    @Test
    void checkNamesAreUnique() {
        assertThatThrownBy(() -> DebugServer.builder().check("storage", Optional::empty)
                .warning("storage", Optional::empty)).isInstanceOf(IllegalArgumentException.class);
    }
}
