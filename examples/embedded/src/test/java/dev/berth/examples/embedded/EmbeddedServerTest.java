package dev.berth.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example's own server on a free port: a blob and a manifest pushed and pulled over plain HTTP. */
class EmbeddedServerTest {
    @TempDir
    Path data;
    EmbeddedServer server;
    String base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedServer.start(EmbeddedServer.filesystemRegistry(data), "127.0.0.1", 0);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void answersTheVersionCheck() throws Exception {
        HttpResponse<String> v2 = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(),
                BodyHandlers.ofString());
        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(v2.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
    }

    @Test
    void pushesAndPullsABlobAndAManifestOverHttp() throws Exception {
        byte[] layer = new byte[150_000];
        new Random(7).nextBytes(layer);
        Digest layerDigest = Digest.sha256(layer);
        byte[] config = "{\"os\":\"linux\",\"architecture\":\"arm64\"}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);

        // Layer: POST opens an upload, PUT with the digest closes it.
        HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/demo/app/blobs/uploads/"))
                .POST(BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertThat(opened.statusCode()).isEqualTo(202);
        String upload = opened.headers().firstValue("Location").orElseThrow();
        String separator = upload.contains("?") ? "&" : "?";
        HttpResponse<String> closed = http.send(HttpRequest.newBuilder(URI.create(upload + separator + "digest="
                + layerDigest)).PUT(BodyPublishers.ofByteArray(layer)).build(), BodyHandlers.ofString());
        assertThat(closed.statusCode()).isEqualTo(201);
        assertThat(closed.headers().firstValue("Docker-Content-Digest")).contains(layerDigest.toString());

        // Config: monolithic, in one POST.
        HttpResponse<String> monolithic = http.send(HttpRequest.newBuilder(URI.create(base
                + "/v2/demo/app/blobs/uploads/?digest=" + configDigest)).POST(BodyPublishers.ofByteArray(config))
                .build(), BodyHandlers.ofString());
        assertThat(monolithic.statusCode()).isEqualTo(201);

        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}";
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/demo/app/manifests/v1"))
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofString(manifest)).build(),
                BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        Digest manifestDigest = Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(put.headers().firstValue("Docker-Content-Digest")).contains(manifestDigest.toString());

        HttpResponse<byte[]> pulledLayer = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/demo/app/blobs/"
                + layerDigest)).build(), BodyHandlers.ofByteArray());
        assertThat(pulledLayer.statusCode()).isEqualTo(200);
        assertThat(pulledLayer.body()).isEqualTo(layer);

        HttpResponse<String> pulled = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/demo/app/manifests/v1"))
                .header("Accept", MediaTypes.OCI_MANIFEST).build(), BodyHandlers.ofString());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(manifest);
        assertThat(pulled.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_MANIFEST);

        HttpResponse<String> tags = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/demo/app/tags/list"))
                .build(), BodyHandlers.ofString());
        assertThat(tags.body()).contains("\"v1\"");

        // What went over HTTP is on disk: a plain Registry over the same folder (or registry:2) serves it.
        server.close();
        try (Registry again = EmbeddedServer.filesystemRegistry(data)) {
            assertThat(again.repository("demo/app").manifests().getOrThrow(Reference.parse("v1")).digest())
                    .isEqualTo(manifestDigest);
        }
        server = EmbeddedServer.start(EmbeddedServer.filesystemRegistry(data), "127.0.0.1", 0);
    }
}
