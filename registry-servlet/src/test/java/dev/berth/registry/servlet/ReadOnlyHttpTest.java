package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only registry over real HTTP, in Jetty 12, over a filesystem store that a writable registry filled: every
 * push and delete is 405 with the spec's error body (code UNSUPPORTED) and an Allow header, and leaves the store as it
 * was; every pull is answered.
 */
class ReadOnlyHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] CONFIG = "{}".getBytes(StandardCharsets.UTF_8);
    static final byte[] LAYER = "the layer".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;
    Registry readOnly;
    JettyRegistry http;
    byte[] manifest;
    Digest manifestDigest;
    String uploadId;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> storage = Map.of("rootdirectory", root.toString());
        try (Registry writable = Registry.builder().storage("filesystem", storage).build()) {
            Repository repo = writable.repository("lib/app");
            repo.uploads().put(Digest.sha256(CONFIG), new ByteArrayInputStream(CONFIG));
            repo.uploads().put(Digest.sha256(LAYER), new ByteArrayInputStream(LAYER));
            manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                    + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(CONFIG)
                    + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\""
                    + Digest.sha256(LAYER) + "\",\"size\":" + LAYER.length + "}]}").getBytes(StandardCharsets.UTF_8);
            manifestDigest = repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest).digest();
            uploadId = repo.uploads().start().id();
        }
        readOnly = Registry.builder().storage("filesystem", storage).readOnly(true).build();
        http = new JettyRegistry(readOnly, "/registry");
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        readOnly.close();
    }

    /** Every file under the root, with its size and modification time. */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                all.put(root.relativize(f).toString(), Files.isDirectory(f) ? "dir"
                        : Files.size(f) + "@" + Files.getLastModifiedTime(f));
            }
        }
        return all;
    }

    private void assertRefused(HttpRequest request, String allow) throws Exception {
        HttpResponse<byte[]> r = http.send(request);
        String what = request.method() + " " + request.uri().getPath();
        assertThat(r.statusCode()).as(what).isEqualTo(405);
        assertThat(r.headers().firstValue("Content-Type")).as(what).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
        assertThat(error.path("code").asText()).as(what).isEqualTo("UNSUPPORTED");
        assertThat(error.path("message").asText()).as(what).isNotEmpty();
        assertThat(error.path("detail").asText()).as(what).contains("read-only");
        assertThat(r.headers().firstValue("Allow")).as(what).contains(allow);
    }

    @Test
    void everyPushAndDeleteIs405WithTheSpecErrorBodyAndLeavesStorageAsItWas() throws Exception {
        Map<String, String> before = snapshot();
        Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        String uploads = "/v2/lib/app/blobs/uploads/";
        String upload = uploads + uploadId;

        assertRefused(http.request(uploads).POST(BodyPublishers.noBody()).build(), "");
        assertRefused(http.request(uploads + "?digest=" + other).POST(BodyPublishers.ofString("other"))
                .header("Content-Type", "application/octet-stream").build(), "");
        assertRefused(http.request("/v2/lib/copy/blobs/uploads/?mount=" + Digest.sha256(LAYER) + "&from=lib/app")
                .POST(BodyPublishers.noBody()).build(), "");
        assertRefused(http.request(upload).method("PATCH", BodyPublishers.ofString("chunk"))
                .header("Content-Type", "application/octet-stream").build(), "GET, HEAD");
        assertRefused(http.request(upload + "?digest=" + other).PUT(BodyPublishers.ofString("other"))
                .header("Content-Type", "application/octet-stream").build(), "GET, HEAD");
        assertRefused(http.request(upload).DELETE().build(), "GET, HEAD");
        assertRefused(http.request("/v2/lib/app/manifests/v2").PUT(BodyPublishers.ofByteArray(manifest))
                .header("Content-Type", MediaTypes.OCI_MANIFEST).build(), "GET, HEAD");
        assertRefused(http.request("/v2/lib/app/manifests/" + manifestDigest).DELETE().build(), "GET, HEAD");
        assertRefused(http.request("/v2/lib/app/manifests/v1").DELETE().build(), "GET, HEAD");
        assertRefused(http.request("/v2/lib/app/blobs/" + Digest.sha256(LAYER)).DELETE().build(), "GET, HEAD");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void everyPullIsAnswered() throws Exception {
        HttpResponse<byte[]> m = http.send(http.request("/v2/lib/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).GET().build());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).isEqualTo(manifest);
        assertThat(http.head("/v2/lib/app/manifests/" + manifestDigest)).containsEntry(":status", "200");
        HttpResponse<byte[]> blob = http.send(http.request("/v2/lib/app/blobs/" + Digest.sha256(LAYER)).GET().build());
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(LAYER);
        HttpResponse<byte[]> tags = http.send(http.request("/v2/lib/app/tags/list").GET().build());
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(tags.body()).path("tags").path(0).asText()).isEqualTo("v1");
        HttpResponse<byte[]> catalog = http.send(http.request("/v2/_catalog").GET().build());
        assertThat(catalog.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(catalog.body()).path("repositories").path(0).asText()).isEqualTo("lib/app");
        assertThat(http.send(http.request("/v2/").GET().build()).statusCode()).isEqualTo(200);
        assertThat(http.send(http.request("/v2/lib/app/blobs/uploads/" + uploadId).GET().build()).statusCode())
                .isEqualTo(204);
    }

    @Test
    void aWrongMethodOnAWritableRegistryNamesWhatTheResourceTakes() throws Exception {
        try (Registry writable = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .deletesEnabled(false).build(); JettyRegistry rw = new JettyRegistry(writable, "")) {
            HttpResponse<byte[]> r = rw.send(rw.request("/v2/lib/app/manifests/v1").method("PATCH",
                    BodyPublishers.ofString("x")).build());
            assertThat(r.statusCode()).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD, PUT");
            HttpResponse<byte[]> d = rw.send(rw.request("/v2/lib/app/manifests/v1").DELETE().build());
            assertThat(d.statusCode()).isEqualTo(405);
            assertThat(JSON.readTree(d.body()).path("errors").path(0).path("code").asText()).isEqualTo("UNSUPPORTED");
            assertThat(d.headers().firstValue("Allow")).contains("GET, HEAD, PUT");
        }
    }
}
