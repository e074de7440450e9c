package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint over real HTTP, in Jetty 12, mounted under a context path. */
class RegistryServletTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    Registry registry;
    JettyRegistry http;
    final Random random = new Random(3);

    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        http = new JettyRegistry(registry, "/registry", ServletOptions.DEFAULTS, AccessGuard.OPEN, async());
    }

    /** Whether the servlet is registered with asynchronous support (bodies moved without holding a thread). */
    boolean async() {
        return true;
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        registry.close();
    }

    @Test
    void baseEndpointAnswersWithTheApiVersion() throws Exception {
        HttpResponse<byte[]> r = http.send(http.request("/v2/").GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
        assertThat(http.send(http.request("/v2").GET().build()).statusCode()).isEqualTo(200);
    }

    @Test
    void monolithicPushThenPullWithRanges() throws Exception {
        byte[] blob = randomBytes(100_000);
        Digest d = Digest.sha256(blob);
        HttpResponse<byte[]> push = http.send(http.request("/v2/lib/app/blobs/uploads/?digest=" + d)
                .POST(BodyPublishers.ofByteArray(blob)).header("Content-Type", "application/octet-stream").build());
        assertThat(push.statusCode()).isEqualTo(201);
        assertThat(push.headers().firstValue("Location")).contains(http.base() + "/v2/lib/app/blobs/" + d);
        assertThat(push.headers().firstValue("Docker-Content-Digest")).contains(d.toString());

        HttpResponse<byte[]> get = http.send(http.request("/v2/lib/app/blobs/" + d).GET().build());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(Arrays.equals(get.body(), blob)).isTrue();
        assertThat(get.headers().firstValue("Content-Length")).as(get.headers().map().toString()).contains("100000");

        Map<String, String> head = http.head("/v2/lib/app/blobs/" + d);
        assertThat(head).containsEntry(":status", "200").containsEntry("Content-Length", "100000")
                .containsEntry("Docker-Content-Digest", d.toString()).containsEntry(":body-length", "0");

        HttpResponse<byte[]> range = http.send(http.request("/v2/lib/app/blobs/" + d).header("Range", "bytes=10-19")
                .GET().build());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).contains("bytes 10-19/100000");
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(blob, 10, 20));

        HttpResponse<byte[]> suffix = http.send(http.request("/v2/lib/app/blobs/" + d).header("Range", "bytes=-5")
                .GET().build());
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(blob, 99_995, 100_000));

        HttpResponse<byte[]> unsatisfiable = http.send(http.request("/v2/lib/app/blobs/" + d)
                .header("Range", "bytes=100000-").GET().build());
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(unsatisfiable.headers().firstValue("Content-Range")).contains("bytes */100000");
    }

    @Test
    void chunkedPushWithContentRangeStatusAndOutOfOrderChunk() throws Exception {
        byte[] blob = randomBytes(300_000);
        Digest d = Digest.sha256(blob);
        HttpResponse<byte[]> start = http.send(http.request("/v2/lib/app/blobs/uploads/")
                .POST(BodyPublishers.noBody()).build());
        assertThat(start.statusCode()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(http.base() + "/v2/lib/app/blobs/uploads/");
        assertThat(start.headers().firstValue("Docker-Upload-UUID")).isPresent();
        assertThat(start.headers().firstValue("Range")).contains("0-0");

        HttpResponse<byte[]> first = http.send(HttpRequest.newBuilder(URI.create(location))
                .method("PATCH", BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 0, 100_000)))
                .header("Content-Range", "0-99999").header("Content-Type", "application/octet-stream").build());
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).contains("0-99999");

        HttpResponse<byte[]> outOfOrder = http.send(HttpRequest.newBuilder(URI.create(location))
                .method("PATCH", BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 200_000, 300_000)))
                .header("Content-Range", "200000-299999").build());
        assertThat(outOfOrder.statusCode()).isEqualTo(416);
        assertThat(errorCode(outOfOrder)).isEqualTo("RANGE_INVALID");

        // A chunk without Content-Range, streamed with chunked transfer encoding.
        HttpResponse<byte[]> second = http.send(HttpRequest.newBuilder(URI.create(location))
                .method("PATCH", BodyPublishers.ofInputStream(() ->
                        new ByteArrayInputStream(blob, 100_000, 100_000))).build());
        assertThat(second.statusCode()).isEqualTo(202);

        HttpResponse<byte[]> status = http.send(HttpRequest.newBuilder(URI.create(location)).GET().build());
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).contains("0-199999");

        HttpResponse<byte[]> done = http.send(HttpRequest.newBuilder(URI.create(location + "?digest=" + d))
                .PUT(BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 200_000, 300_000))).build());
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.headers().firstValue("Docker-Content-Digest")).contains(d.toString());
        assertThat(Arrays.equals(http.send(http.request("/v2/lib/app/blobs/" + d).GET().build()).body(), blob)).isTrue();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(location)).GET().build()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void wrongDigestOnCommitIsDigestInvalidAndNothingIsVisible() throws Exception {
        byte[] blob = randomBytes(1000);
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/blobs/uploads/?digest=" + wrong)
                .POST(BodyPublishers.ofByteArray(blob)).build());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        assertThat(http.send(http.request("/v2/lib/app/blobs/" + wrong).GET().build()).statusCode()).isEqualTo(404);
        assertThat(http.send(http.request("/v2/lib/app/blobs/" + Digest.sha256(blob)).GET().build()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void cancelledAndUnknownUploadsAreUploadUnknown() throws Exception {
        String location = http.send(http.request("/v2/lib/app/blobs/uploads/").POST(BodyPublishers.noBody()).build())
                .headers().firstValue("Location").orElseThrow();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(location)).DELETE().build()).statusCode())
                .isEqualTo(204);
        HttpResponse<byte[]> after = http.send(HttpRequest.newBuilder(URI.create(location)).GET().build());
        assertThat(after.statusCode()).isEqualTo(404);
        assertThat(errorCode(after)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        HttpResponse<byte[]> bogus = http.send(http.request("/v2/lib/app/blobs/uploads/not-a-uuid")
                .method("PATCH", BodyPublishers.ofString("x")).build());
        assertThat(bogus.statusCode()).isEqualTo(404);
        assertThat(errorCode(bogus)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void mountLinksOrFallsBackToANewUpload() throws Exception {
        byte[] blob = randomBytes(500);
        Digest d = Digest.sha256(blob);
        http.send(http.request("/v2/src/repo/blobs/uploads/?digest=" + d).POST(BodyPublishers.ofByteArray(blob)).build());
        HttpResponse<byte[]> mounted = http.send(http.request("/v2/dst/repo/blobs/uploads/?mount=" + d
                + "&from=src/repo").POST(BodyPublishers.noBody()).build());
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Location")).contains(http.base() + "/v2/dst/repo/blobs/" + d);
        assertThat(http.send(http.request("/v2/dst/repo/blobs/" + d).GET().build()).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> unknownSource = http.send(http.request("/v2/dst/other/blobs/uploads/?mount=" + d
                + "&from=nowhere").POST(BodyPublishers.noBody()).build());
        assertThat(unknownSource.statusCode()).isEqualTo(202);
        assertThat(unknownSource.headers().firstValue("Location").orElseThrow()).contains("/blobs/uploads/");
    }

    @Test
    void manifestPushPullHeadAcceptAndDelete() throws Exception {
        byte[] manifest = pushImage("lib/app");
        Digest md = Digest.sha256(manifest);
        HttpResponse<byte[]> put = http.send(http.request("/v2/lib/app/manifests/v1?tag=latest&tag=1")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(manifest)).build());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).contains(md.toString());
        assertThat(put.headers().firstValue("Location")).contains(http.base() + "/v2/lib/app/manifests/" + md);

        for (String ref : List.of("v1", "latest", md.toString())) {
            HttpResponse<byte[]> get = http.send(http.request("/v2/lib/app/manifests/" + ref)
                    .header("Accept", MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST).GET().build());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(manifest);
            assertThat(get.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_MANIFEST);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).contains(md.toString());
        }
        Map<String, String> head = http.head("/v2/lib/app/manifests/v1");
        assertThat(head).containsEntry(":status", "200")
                .containsEntry("Content-Length", String.valueOf(manifest.length))
                .containsEntry("Docker-Content-Digest", md.toString()).containsEntry(":body-length", "0");
        HttpResponse<byte[]> notAccepted = http.send(http.request("/v2/lib/app/manifests/v1")
                .header("Accept", MediaTypes.DOCKER_MANIFEST).GET().build());
        assertThat(notAccepted.statusCode()).isEqualTo(404);
        assertThat(errorCode(notAccepted)).isEqualTo("MANIFEST_UNKNOWN");

        HttpResponse<byte[]> tags = http.send(http.request("/v2/lib/app/tags/list").GET().build());
        assertThat(JSON.readTree(tags.body()).path("tags").toString()).isEqualTo("[\"1\",\"latest\",\"v1\"]");

        assertThat(http.send(http.request("/v2/lib/app/manifests/latest").DELETE().build()).statusCode()).isEqualTo(202);
        assertThat(http.send(http.request("/v2/lib/app/manifests/latest").GET().build()).statusCode()).isEqualTo(404);
        assertThat(http.send(http.request("/v2/lib/app/manifests/" + md).DELETE().build()).statusCode()).isEqualTo(202);
        assertThat(http.send(http.request("/v2/lib/app/manifests/v1").GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void badManifestsGetTheirSpecErrors() throws Exception {
        HttpResponse<byte[]> malformed = http.send(http.request("/v2/lib/app/manifests/v1")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofString("{not json")).build());
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(errorCode(malformed)).isEqualTo("MANIFEST_INVALID");

        String missing = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(new byte[1]) + "\",\"size\":1},"
                + "\"layers\":[]}";
        HttpResponse<byte[]> unknownBlob = http.send(http.request("/v2/lib/app/manifests/v1")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofString(missing)).build());
        assertThat(unknownBlob.statusCode()).isEqualTo(400);
        assertThat(errorCode(unknownBlob)).isEqualTo("MANIFEST_BLOB_UNKNOWN");

        byte[] huge = new byte[ManifestEndpoints.MAX_MANIFEST_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        HttpResponse<byte[]> tooLarge = http.send(http.request("/v2/lib/app/manifests/v1")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(huge)).build());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(http.send(http.request("/v2/lib/app/manifests/v1").GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void listingsPageWithLinkHeaders() throws Exception {
        byte[] manifest = pushImage("p/q");
        for (String t : List.of("a", "b", "c", "d", "e")) {
            http.send(http.request("/v2/p/q/manifests/" + t).header("Content-Type", MediaTypes.OCI_MANIFEST)
                    .PUT(BodyPublishers.ofByteArray(manifest)).build());
        }
        HttpResponse<byte[]> page = http.send(http.request("/v2/p/q/tags/list?n=2").GET().build());
        assertThat(JSON.readTree(page.body()).path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(page.headers().firstValue("Link")).contains("</registry/v2/p/q/tags/list?n=2&last=b>; rel=\"next\"");
        HttpResponse<byte[]> last = http.send(http.request("/v2/p/q/tags/list?n=2&last=d").GET().build());
        assertThat(JSON.readTree(last.body()).path("tags").toString()).isEqualTo("[\"e\"]");
        assertThat(last.headers().firstValue("Link")).isEmpty();
        assertThat(JSON.readTree(http.send(http.request("/v2/p/q/tags/list?n=0").GET().build()).body()).path("tags")
                .size()).isZero();
        assertThat(JSON.readTree(http.send(http.request("/v2/p/q/tags/list?last=zzz").GET().build()).body())
                .path("tags").size()).isZero();
        assertThat(http.send(http.request("/v2/p/q/tags/list?n=-1").GET().build()).statusCode()).isEqualTo(400);
        HttpResponse<byte[]> unknown = http.send(http.request("/v2/no/such/tags/list").GET().build());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(errorCode(unknown)).isEqualTo("NAME_UNKNOWN");

        HttpResponse<byte[]> catalog = http.send(http.request("/v2/_catalog?n=10").GET().build());
        assertThat(JSON.readTree(catalog.body()).path("repositories").toString()).isEqualTo("[\"p/q\"]");
    }

    @Test
    void referrersAreAnOciIndexFilteredByArtifactType() throws Exception {
        byte[] image = pushImage("r/s");
        Digest subject = Digest.sha256(image);
        http.send(http.request("/v2/r/s/manifests/v1").header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(BodyPublishers.ofByteArray(image)).build());
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        pushBlob("r/s", empty);
        byte[] sig = randomBytes(64);
        pushBlob("r/s", sig);
        String artifact = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":"
                + "\"application/example.sig\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\""
                + Digest.sha256(empty) + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/octet-stream\","
                + "\"digest\":\"" + Digest.sha256(sig) + "\",\"size\":64}],\"subject\":{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":" + image.length + "}}";
        Digest ad = Digest.sha256(artifact.getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> put = http.send(http.request("/v2/r/s/manifests/" + ad)
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofString(artifact)).build());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("OCI-Subject")).contains(subject.toString());

        HttpResponse<byte[]> all = http.send(http.request("/v2/r/s/referrers/" + subject).GET().build());
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_INDEX);
        JsonNode index = JSON.readTree(all.body());
        assertThat(index.path("manifests").size()).isEqualTo(1);
        assertThat(index.path("manifests").get(0).path("artifactType").asText()).isEqualTo("application/example.sig");
        HttpResponse<byte[]> filtered = http.send(http.request("/v2/r/s/referrers/" + subject
                + "?artifactType=application/other").GET().build());
        assertThat(JSON.readTree(filtered.body()).path("manifests").size()).isZero();
        assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).contains("artifactType");
    }

    @Test
    void badNamesDigestsPathsAndMethodsAreClientErrorsNeverServerErrors() throws Exception {
        Map<String, String> cases = Map.of(
                "/v2/UPPER/tags/list", "NAME_INVALID",
                "/v2/a%2e%2e/tags/list", "NAME_INVALID",
                "/v2/a/blobs/sha256:abc", "BLOB_UNKNOWN", // a read of what cannot exist: see EdgeAnswersTest
                "/v2/a/blobs/md5:d41d8cd98f00b204e9800998ecf8427e", "BLOB_UNKNOWN",
                "/v2/a/manifests/-bad", "MANIFEST_UNKNOWN",
                "/v2/a/referrers/sha256:abc", "DIGEST_INVALID",
                "/v2/a/nothing/here", "NOT_FOUND",
                "/v1/", "NOT_FOUND");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<byte[]> r = http.send(http.request(c.getKey()).GET().build());
            assertThat(r.statusCode()).as(c.getKey()).isBetween(400, 499);
            assertThat(errorCode(r)).as(c.getKey()).isEqualTo(c.getValue());
        }
        // Jetty itself refuses ambiguous encoded segments before the servlet sees them; still a client error.
        HttpResponse<byte[]> traversal = http.send(http.request("/v2/a/%2e%2e/%2e%2e/etc/blobs/sha256:abc").GET().build());
        assertThat(traversal.statusCode()).isEqualTo(400);
        HttpResponse<byte[]> post = http.send(http.request("/v2/a/tags/list").POST(BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(errorCode(post)).isEqualTo("UNSUPPORTED");
    }

    @Test
    void locationsFollowForwardedHeaders() throws Exception {
        HttpResponse<byte[]> r = http.send(http.request("/v2/x/blobs/uploads/").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "registry.example.com").POST(BodyPublishers.noBody()).build());
        assertThat(r.headers().firstValue("Location").orElseThrow())
                .startsWith("https://registry.example.com/registry/v2/x/blobs/uploads/");
    }

    @Test
    void randomPathsAndMethodsNeverGetAServerError() throws Exception {
        String[] parts = {"v2", "a", "b", "blobs", "uploads", "manifests", "tags", "list", "referrers", "_catalog",
                "sha256:" + "0".repeat(64), "..", "%2e", "%2F", "latest", "", "A", "-", "%00", "%zz"};
        String[] methods = {"GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"};
        for (int i = 0; i < 300; i++) {
            StringBuilder p = new StringBuilder();
            int len = 1 + random.nextInt(6);
            for (int j = 0; j < len; j++) {
                p.append('/').append(parts[random.nextInt(parts.length)]);
            }
            String method = methods[random.nextInt(methods.length)];
            assertThat(http.rawStatus(method, p.toString())).as(method + " " + p).isBetween(200, 499);
        }
    }

    /** curl's default for a POST body is a form's content type; the body is still the blob, never form fields. */
    @Test
    void aBlobPostedWithAFormContentTypeIsStillTheBlob() throws Exception {
        byte[] blob = "digest=sha256:0&mount=x".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(blob);
        HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/blobs/uploads/?digest=" + d)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(BodyPublishers.ofByteArray(blob)).build());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(http.send(http.request("/v2/lib/app/blobs/" + d).GET().build()).body()).isEqualTo(blob);
    }

    @Test
    void expectContinueUploadsWork() throws Exception {
        byte[] blob = randomBytes(70_000);
        Digest d = Digest.sha256(blob);
        HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/blobs/uploads/?digest=" + d).expectContinue(true)
                .POST(BodyPublishers.ofByteArray(blob)).build());
        assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void aClientThatDisconnectsMidChunkLeavesAResumableUpload() throws Exception {
        byte[] blob = randomBytes(1_000_000);
        Digest d = Digest.sha256(blob);
        String location = http.send(http.request("/v2/lib/app/blobs/uploads/").POST(BodyPublishers.noBody()).build())
                .headers().firstValue("Location").orElseThrow();
        String path = URI.create(location).getRawPath();
        try (Socket socket = new Socket("127.0.0.1", http.connector.getLocalPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + blob.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(blob, 0, 400_000);
            out.flush();
        } // closed after 400,000 of 1,000,000 bytes
        long received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) { // the server notices the end on its own time
            HttpResponse<byte[]> status = http.send(HttpRequest.newBuilder(URI.create(location)).GET().build());
            assertThat(status.statusCode()).isEqualTo(204);
            received = Long.parseLong(status.headers().firstValue("Range").orElseThrow().split("-")[1]) + 1;
            if (received == 400_000) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(received).isEqualTo(400_000);
        assertThat(http.send(http.request("/v2/lib/app/blobs/" + d).GET().build()).statusCode()).isEqualTo(404);

        HttpResponse<byte[]> rest = http.send(HttpRequest.newBuilder(URI.create(location + "?digest=" + d))
                .header("Content-Range", received + "-" + (blob.length - 1))
                .PUT(BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, (int) received, blob.length))).build());
        assertThat(rest.statusCode()).isEqualTo(201);
        assertThat(Arrays.equals(http.send(http.request("/v2/lib/app/blobs/" + d).GET().build()).body(), blob)).isTrue();
    }

    @Test
    void randomHeadersOnRealEndpointsNeverGetAServerError() throws Exception {
        byte[] blob = randomBytes(1000);
        Digest d = Digest.sha256(blob);
        pushBlob("h/r", blob);
        String upload = URI.create(http.send(http.request("/v2/h/r/blobs/uploads/")
                .POST(BodyPublishers.noBody()).build()).headers().firstValue("Location").orElseThrow()).getRawPath()
                .substring("/registry".length());
        String[] paths = {"/v2/h/r/blobs/" + d, upload, upload + "?digest=" + d, "/v2/h/r/blobs/uploads/",
                "/v2/h/r/manifests/latest", "/v2/h/r/tags/list?n=1", "/v2/_catalog?n=x", "/v2/h/r/referrers/" + d};
        String[] names = {"Range", "Content-Range", "Accept", "Content-Type", "X-Forwarded-Host", "X-Forwarded-Proto"};
        String[] values = {"bytes=0-", "bytes=-0", "bytes=5-2", "bytes=99999999999999999999-", "0-0", "0-999",
                "bytes 0-1/*", "-1-5", "*/*", "application/vnd.oci.image.manifest.v1+json;q=0.5", ",,,", "", "\u00e9",
                "a".repeat(2000), "text/plain; charset=\"", "9223372036854775807-9223372036854775807"};
        String[] methods = {"GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"};
        for (int i = 0; i < 300; i++) {
            StringBuilder headers = new StringBuilder();
            for (int h = random.nextInt(3); h >= 0; h--) {
                headers.append(names[random.nextInt(names.length)]).append(": ")
                        .append(values[random.nextInt(values.length)]).append("\r\n");
            }
            String method = methods[random.nextInt(methods.length)];
            String path = paths[random.nextInt(paths.length)];
            assertThat(http.rawStatus(method, path, headers.toString())).as(method + " " + path + "\n" + headers)
                    .isBetween(200, 499);
        }
    }

    // ------------------------------------------------------------------ helpers

    @Test
    void deletesAreUnsupportedWhenDisabledAndDeleteNothing() throws Exception {
        try (Registry noDeletes = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", root.resolve("no-deletes").toString()))
                .deletesEnabled(false).build();
                JettyRegistry other = new JettyRegistry(noDeletes, "")) {
            JettyRegistry main = http;
            http = other;
            try {
                byte[] manifest = pushImage("keep/me");
                Digest digest = Digest.sha256(manifest);
                assertThat(http.send(http.request("/v2/keep/me/manifests/v1").header("Content-Type",
                        MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(manifest)).build()).statusCode())
                        .isEqualTo(201);
                JsonNode config = JSON.readTree(manifest).path("config");
                for (String path : List.of("/v2/keep/me/manifests/" + digest, "/v2/keep/me/manifests/v1",
                        "/v2/keep/me/blobs/" + config.path("digest").asText())) {
                    HttpResponse<byte[]> r = http.send(http.request(path).DELETE().build());
                    assertThat(r.statusCode()).as(path).isEqualTo(405);
                    assertThat(errorCode(r)).as(path).isEqualTo("UNSUPPORTED");
                    assertThat(http.send(http.request(path).GET().header("Accept", MediaTypes.OCI_MANIFEST).build())
                            .statusCode()).as(path).isEqualTo(200);
                }
            } finally {
                http = main;
            }
        }
    }

    @Test
    void optionsSetTheExternalUrlRelativeUrlsExtraHeadersAndTheCatalogPageLimit() throws Exception {
        byte[] blob = randomBytes(10);
        String push = "/v2/opt/blobs/uploads/?digest=" + Digest.sha256(blob);
        ServletOptions external = new ServletOptions(Optional.of("https://registry.example.com/"), false,
                Map.of("X-Frame-Options", List.of("DENY"), "X-Content-Type-Options", List.of("nosniff")), 2);
        try (JettyRegistry other = new JettyRegistry(registry, "/registry", external)) {
            HttpResponse<byte[]> r = other.send(other.request(push).POST(BodyPublishers.ofByteArray(blob)).build());
            assertThat(r.headers().firstValue("Location")).contains("https://registry.example.com/registry/v2/opt/blobs/"
                    + Digest.sha256(blob));
            assertThat(r.headers().allValues("X-Frame-Options")).containsExactly("DENY");
            assertThat(r.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
            HttpResponse<byte[]> error = other.send(other.request("/v2/opt/manifests/nope").GET().build());
            assertThat(error.statusCode()).isEqualTo(404);
            assertThat(error.headers().allValues("X-Frame-Options")).as("errors too").containsExactly("DENY");
            for (String repo : List.of("c/a", "c/b", "c/c")) {
                assertThat(http.send(http.request("/v2/" + repo + "/manifests/v1").header("Content-Type",
                        MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(pushImage(repo))).build()).statusCode())
                        .isEqualTo(201);
            }
            HttpResponse<byte[]> catalog = other.send(other.request("/v2/_catalog?n=50").GET().build());
            assertThat(JSON.readTree(catalog.body()).path("repositories")).hasSize(2);
            assertThat(catalog.headers().firstValue("Link")).hasValueSatisfying(l -> l.contains("n=2"));
        }
        ServletOptions relative = new ServletOptions(Optional.of("https://ignored.example.com"), true,
                Map.of(), 1000);
        try (JettyRegistry other = new JettyRegistry(registry, "/registry", relative)) {
            HttpResponse<byte[]> r = other.send(other.request("/v2/opt/blobs/uploads/").POST(BodyPublishers.noBody())
                    .build());
            assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l ->
                    assertThat(l).startsWith("/registry/v2/opt/blobs/uploads/"));
        }
    }

    private byte[] pushImage(String repo) throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"r\":" + random.nextInt() + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(2000);
        pushBlob(repo, config);
        pushBlob(repo, layer);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\""
                + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    private void pushBlob(String repo, byte[] blob) throws Exception {
        HttpResponse<byte[]> r = http.send(http.request("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob))
                .POST(BodyPublishers.ofByteArray(blob)).build());
        assertThat(r.statusCode()).isEqualTo(201);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String errorCode(HttpResponse<byte[]> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        return body.path("errors").get(0).path("code").asText();
    }
}
