package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A registry that pulls through from another of the extension's served over TLS with its own generated CA (and a
 * user): the cache trusts that CA, and nothing else of the JVM's is changed for it.
 */
class TlsPullThroughTest {
    @RegisterExtension
    @Order(1)
    static final BerthRegistryExtension UPSTREAM = BerthRegistryExtension.builder().withTls()
            .withUser("mirror", "pw").build();
    @RegisterExtension
    @Order(2)
    static final BerthRegistryExtension CACHE = BerthRegistryExtension.builder().pullThrough(UPSTREAM).build();

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesWhatOnlyTheTlsUpstreamHas() throws Exception {
        byte[] layer = "a layer only the TLS upstream has".getBytes(StandardCharsets.UTF_8);
        byte[] manifest = pushToUpstream("secure/app", "1", layer);

        HttpResponse<byte[]> pulled = http.send(HttpRequest.newBuilder(
                CACHE.uri().resolve("/v2/secure/app/manifests/1")).header("Accept", MediaTypes.OCI_MANIFEST).build(),
                BodyHandlers.ofByteArray());
        HttpResponse<byte[]> blob = http.send(HttpRequest.newBuilder(
                CACHE.uri().resolve("/v2/secure/app/blobs/" + Digest.sha256(layer))).build(),
                BodyHandlers.ofByteArray());

        assertThat(UPSTREAM.uri().getScheme()).isEqualTo("https");
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(manifest);
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(layer);
        assertThat(CACHE.registry().upstreams()).singleElement().satisfies(upstream -> {
            assertThat(upstream.url()).isEqualTo(UPSTREAM.uri());
            assertThat(upstream.sslContext()).isEqualTo(UPSTREAM.endpoint().sslContext());
        });
        CACHE.registry().checkUpstream(""); // answers over TLS: throws when it does not
    }

    @Test
    void theJvmsOwnTrustDoesNotReachTheUpstream() {
        // What the cache could not do without the CA: the JVM's default client refuses the generated certificate.
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(
                UPSTREAM.uri().resolve("/v2/")).build(), BodyHandlers.discarding()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    /** An image of one layer, put straight into the upstream registry; returns the manifest's bytes. */
    private static byte[] pushToUpstream(String name, String tag, byte[] layer) throws Exception {
        Repository repository = UPSTREAM.registry().repository(name);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        repository.uploads().put(Digest.sha256(layer), new ByteArrayInputStream(layer));
        repository.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + Digest.sha256(config) + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        repository.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest);
        return manifest;
    }
}
