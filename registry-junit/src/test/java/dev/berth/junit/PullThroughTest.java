package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.proxy.Upstream;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A registry that pulls through from another of the extension's, which wants credentials. */
class PullThroughTest {
    @RegisterExtension
    @Order(1)
    static final BerthRegistryExtension UPSTREAM = BerthRegistryExtension.builder().withUser("mirror", "pw").build();
    @RegisterExtension
    @Order(2)
    static final BerthRegistryExtension CACHE = BerthRegistryExtension.builder().pullThrough(UPSTREAM).build();
    @RegisterExtension
    @Order(3)
    static final BerthRegistryExtension PREFIXED = BerthRegistryExtension.builder()
            .pullThrough(Upstream.of("http://127.0.0.1:9").withPrefix("nowhere")).build();

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesWhatOnlyTheUpstreamHas() throws Exception {
        byte[] manifest = pushTo(UPSTREAM.registry(), "lib/app", "1");

        HttpResponse<byte[]> pulled = http.send(HttpRequest.newBuilder(CACHE.uri().resolve("/v2/lib/app/manifests/1"))
                .header("Accept", MediaTypes.OCI_MANIFEST).build(), BodyHandlers.ofByteArray());

        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(manifest);
        assertThat(CACHE.registry().upstreams()).singleElement()
                .satisfies(upstream -> assertThat(upstream.url()).isEqualTo(UPSTREAM.uri()));
    }

    @Test
    void takesAnUpstreamAsItIs() {
        assertThat(PREFIXED.registry().upstreams()).extracting(Upstream::prefix).containsExactly("nowhere");
    }

    /** An image of one layer, put straight into a registry; returns the manifest's bytes. */
    private static byte[] pushTo(Registry registry, String name, String tag) throws Exception {
        Repository repository = registry.repository(name);
        byte[] layer = "a layer".getBytes(StandardCharsets.UTF_8);
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
