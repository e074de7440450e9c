package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RegistryTest}: the defaults, and what tests and lifecycle methods can take as parameters. */
@RegistryTest
class RegistryTestAnnotationTest {
    static URI fromBeforeAll;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void beforeAllTakesItToo(URI uri) {
        fromBeforeAll = uri;
    }

    @Test
    void injectsOneRegistryAsAllItsViews(Registry registry, URI uri, URL url, RegistryEndpoint endpoint) {
        assertThat(uri).isEqualTo(fromBeforeAll).isEqualTo(endpoint.uri());
        assertThat(url.toString()).isEqualTo(uri.toString());
        assertThat(uri.toString()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(endpoint.image("a/b:1")).isEqualTo("127.0.0.1:" + endpoint.port() + "/a/b:1");
        assertThat(endpoint.tls()).isFalse();
        assertThat(endpoint.username()).isEmpty();
        assertThat(endpoint.caFile()).isEmpty();
        assertThat(registry.catalog()).isEmpty();
    }

    @Test
    void whatIsPushedOverHttpIsInTheInjectedRegistry(Registry registry, URI uri) throws Exception {
        byte[] blob = "over http".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(
                uri.resolve("/v2/demo/blobs/uploads/?digest=" + digest)).POST(BodyPublishers.ofByteArray(blob))
                .build(), BodyHandlers.ofString());

        assertThat(pushed.statusCode()).isEqualTo(201);
        assertThat(registry.repository("demo").blobs().stat(digest)).isPresent();
    }

    @Test
    void answersTheVersionCheckWithoutCredentials(URI uri) throws Exception {
        HttpResponse<String> v2 = http.send(HttpRequest.newBuilder(uri.resolve("/v2/")).build(),
                BodyHandlers.ofString());

        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(v2.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
    }
}
