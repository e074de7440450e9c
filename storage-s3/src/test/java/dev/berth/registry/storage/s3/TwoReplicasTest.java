package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.junit.BerthRegistryExtension;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two registries, each its own servlet in its own Jetty with its own driver, on one bucket, as two replicas behind a
 * load balancer: a client that alternates between them sees one registry.
 */
class TwoReplicasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = S3ProxyServer.newBucket();

    // A fresh pair for each test, in front of one prefix of one bucket.
    @RegisterExtension
    final BerthRegistryExtension first = replica();
    @RegisterExtension
    final BerthRegistryExtension second = replica();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String[] replicas;

    @BeforeEach
    void addresses() {
        replicas = new String[] {base(first), base(second)};
    }

    private static BerthRegistryExtension replica() {
        return BerthRegistryExtension.builder().configure(registry -> {
            Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
            p.put("rootdirectory", "shared");
            registry.storage("s3", p);
        }).build();
    }

    private static String base(BerthRegistryExtension replica) {
        String uri = replica.uri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    private HttpResponse<byte[]> send(int replica, String pathAndQuery, String method, byte[] body,
            String... headers) throws Exception {
        String target = pathAndQuery.startsWith("http") ? URI.create(pathAndQuery).getRawPath()
                + (URI.create(pathAndQuery).getRawQuery() == null ? "" : "?" + URI.create(pathAndQuery).getRawQuery())
                : pathAndQuery;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(replicas[replica % 2] + target))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] random(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aChunkedUploadAlternatingBetweenReplicasAndManifestsPushedOnOneAreReadOnTheOther() throws Exception {
        byte[] layer = random(7 * (1 << 20) + 11, 1); // more than one 5 MiB part
        Digest layerDigest = Digest.sha256(layer);
        HttpResponse<byte[]> start = send(0, "/v2/team/app/blobs/uploads/", "POST", null);
        assertThat(start.statusCode()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        int[] cuts = {0, 1_000_000, 6_500_000, 6_600_000, layer.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            byte[] chunk = Arrays.copyOfRange(layer, cuts[i], cuts[i + 1]);
            HttpResponse<byte[]> patch = send(i + 1, location, "PATCH", chunk, "Content-Type",
                    "application/octet-stream", "Content-Range", cuts[i] + "-" + (cuts[i + 1] - 1));
            assertThat(patch.statusCode()).as("chunk %d on replica %d: %s", i, (i + 1) % 2,
                    new String(patch.body(), StandardCharsets.UTF_8)).isEqualTo(202);
            assertThat(patch.headers().firstValue("Range")).contains("0-" + (cuts[i + 1] - 1));
            location = patch.headers().firstValue("Location").orElseThrow();
        }
        HttpResponse<byte[]> status = send(0, location, "GET", null);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).contains("0-" + (layer.length - 1));
        String sep = location.contains("?") ? "&" : "?";
        HttpResponse<byte[]> put = send(1, location + sep + "digest=" + layerDigest, "PUT", null);
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);

        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(send(0, "/v2/team/app/blobs/uploads/?digest=" + Digest.sha256(config), "POST", config)
                .statusCode()).isEqualTo(201);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = Digest.sha256(manifest);
        for (String tag : List.of("v1", "v10", "v1.0")) {
            assertThat(send(0, "/v2/team/app/manifests/" + tag, "PUT", manifest, "Content-Type",
                    MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(201);
        }
        byte[] signature = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"artifactType\":\"application/vnd.example.signature\",\"config\":{\"mediaType\":\""
                + "application/vnd.oci.empty.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[],\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length + "}}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> signed = send(0, "/v2/team/app/manifests/" + Digest.sha256(signature), "PUT", signature,
                "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(signed.statusCode()).as(new String(signed.body(), StandardCharsets.UTF_8)).isEqualTo(201);

        JsonNode tags = JSON.readTree(send(1, "/v2/team/app/tags/list", "GET", null).body());
        assertThat(tags.path("tags").toString()).isEqualTo("[\"v1\",\"v1.0\",\"v10\"]");
        JsonNode catalog = JSON.readTree(send(1, "/v2/_catalog", "GET", null).body());
        assertThat(catalog.path("repositories").toString()).isEqualTo("[\"team/app\"]");
        HttpResponse<byte[]> referrers = send(1, "/v2/team/app/referrers/" + manifestDigest, "GET", null);
        assertThat(referrers.statusCode()).isEqualTo(200);
        JsonNode index = JSON.readTree(referrers.body());
        assertThat(index.path("manifests")).hasSize(1);
        assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(Digest.sha256(signature)
                .toString());
        HttpResponse<byte[]> pulled = send(1, "/v2/team/app/manifests/v10", "GET", null, "Accept",
                MediaTypes.OCI_MANIFEST);
        assertThat(pulled.body()).isEqualTo(manifest);

        // the layer: HEAD from the registry, GET redirected to a presigned URL that a plain client follows
        HttpResponse<byte[]> head = send(1, "/v2/team/app/blobs/" + layerDigest, "HEAD", null);
        assertThat(head.statusCode()).isEqualTo(200);
        HttpResponse<byte[]> get = send(0, "/v2/team/app/blobs/" + layerDigest, "GET", null);
        assertThat(get.statusCode()).isEqualTo(307);
        String presigned = get.headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> direct = client.send(HttpRequest.newBuilder(URI.create(presigned)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(direct.body())).isEqualTo(layerDigest);
    }
}
