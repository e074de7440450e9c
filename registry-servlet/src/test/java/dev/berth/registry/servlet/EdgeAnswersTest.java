package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the registry answers at the edges of the API, over real HTTP in Jetty 12: references and digests that cannot
 * name anything, byte ranges with absurd positions, malformed query strings, and chunks whose body disagrees with
 * their Content-Range. A client's mistake is a 4xx with the spec's JSON body, never a 500, and never a 405 for a method
 * the URL takes.
 */
class EdgeAnswersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MD5 = "md5:d41d8cd98f00b204e9800998ecf8427e";

    @TempDir
    Path root;
    Registry registry;
    JettyRegistry http;
    final Random random = new Random(15);

    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        http = new JettyRegistry(registry, "/registry", ServletOptions.DEFAULTS, AccessGuard.OPEN, async());
    }

    /** Whether the servlet is registered with asynchronous support; {@link BlockingEdgeAnswersTest} says no. */
    boolean async() {
        return true;
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        registry.close();
    }

    // ------------------------------------------------------------------ references that cannot name anything

    /** What a tag or digest can never be: not a tag, not a digest, a digest of an algorithm the registry lacks. */
    static final List<String> IMPOSSIBLE = List.of(".INVALID_MANIFEST_NAME", "-bad", "v1:2", MD5, "sha256:abc",
            "sha256:" + "A".repeat(64), "a".repeat(129), "sha256:" + "0".repeat(63) + "g");

    @Test
    void readsOfManifestReferencesThatCannotExistAreManifestUnknown() throws Exception {
        pushImage("lib/app", "v1");
        for (String repo : List.of("lib/app", "no/such/repo")) {
            for (String ref : IMPOSSIBLE) {
                String path = "/v2/" + repo + "/manifests/" + ref;
                HttpResponse<byte[]> get = http.send(http.request(path).GET().build());
                assertThat(get.statusCode()).as(path).isEqualTo(404);
                assertThat(errorCode(get)).as(path).isEqualTo("MANIFEST_UNKNOWN");
                assertThat(get.headers().firstValue("Allow")).as(path).isEmpty();
                assertThat(http.head(path)).as(path).containsEntry(":status", "404").containsEntry(":body-length",
                        "0");
            }
        }
    }

    @Test
    void readsOfBlobDigestsThatCannotExistAreBlobUnknown() throws Exception {
        pushBlob("lib/app", randomBytes(10));
        for (String digest : List.of(MD5, "v1:2", "sha256:abc", "latest", "sha512:" + "0".repeat(64),
                "sha256:" + "A".repeat(64))) {
            String path = "/v2/lib/app/blobs/" + digest;
            HttpResponse<byte[]> get = http.send(http.request(path).GET().build());
            assertThat(get.statusCode()).as(path).isEqualTo(404);
            assertThat(errorCode(get)).as(path).isEqualTo("BLOB_UNKNOWN");
            assertThat(get.headers().firstValue("Allow")).as(path).isEmpty();
            assertThat(http.head(path)).as(path).containsEntry(":status", "404");
        }
    }

    /**
     * distribution answers 404 for a delete of a reference its routes do not match, and the spec 404 for one that
     * does not exist; a registry that deletes nothing answers 405 whatever the reference.
     */
    @Test
    void deletesOfWhatCannotExistAreNotFoundUnlessTheRegistryDeletesNothing() throws Exception {
        pushImage("lib/app", "v1");
        for (String ref : List.of(".INVALID_MANIFEST_NAME", "v1:2", MD5)) {
            HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/manifests/" + ref).DELETE().build());
            assertThat(r.statusCode()).as(ref).isEqualTo(404);
            assertThat(errorCode(r)).as(ref).isEqualTo("MANIFEST_UNKNOWN");
        }
        for (String digest : List.of(MD5, "sha256:abc")) {
            HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/blobs/" + digest).DELETE().build());
            assertThat(r.statusCode()).as(digest).isEqualTo(404);
            assertThat(errorCode(r)).as(digest).isEqualTo("BLOB_UNKNOWN");
        }
        assertThat(http.send(http.request("/v2/lib/app/manifests/v1").GET().build()).statusCode()).isEqualTo(200);

        try (Registry noDeletes = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", root.resolve("kept").toString()))
                .deletesEnabled(false).build();
                JettyRegistry other = new JettyRegistry(noDeletes, "", ServletOptions.DEFAULTS, AccessGuard.OPEN,
                        async())) {
            for (String path : List.of("/v2/lib/app/manifests/.INVALID_MANIFEST_NAME", "/v2/lib/app/blobs/" + MD5)) {
                HttpResponse<byte[]> r = other.send(other.request(path).DELETE().build());
                assertThat(r.statusCode()).as(path).isEqualTo(405);
                assertThat(errorCode(r)).as(path).isEqualTo("UNSUPPORTED");
                assertThat(r.headers().firstValue("Allow").orElseThrow()).as(path).doesNotContain("DELETE");
            }
        }
    }

    @Test
    void writesOfBadReferencesSayWhatIsWrongWith400() throws Exception {
        byte[] manifest = pushImage("lib/app", null);
        Map<String, String> cases = Map.of(
                "-bad", "TAG_INVALID",
                ".INVALID_MANIFEST_NAME", "TAG_INVALID",
                "sha256:totallywrong", "DIGEST_INVALID",
                MD5, "UNSUPPORTED",
                "v1:2", "UNSUPPORTED");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/manifests/" + c.getKey())
                    .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(manifest))
                    .build());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(errorCode(r)).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(r.headers().firstValue("Allow")).as(c.getKey()).isEmpty();
        }
    }

    /** The spec: a referrers request with a digest of invalid syntax is 400; a referrers request is never 404. */
    @Test
    void referrersOfADigestThatIsNoneAre400() throws Exception {
        pushImage("lib/app", "v1");
        Map<String, String> cases = Map.of("sha256:abc", "DIGEST_INVALID", "latest", "DIGEST_INVALID",
                MD5, "UNSUPPORTED", "v1:2", "UNSUPPORTED");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/referrers/" + c.getKey()).GET().build());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(errorCode(r)).as(c.getKey()).isEqualTo(c.getValue());
        }
    }

    @Test
    void digestsOfUploadsThatAreNoneAre400AndAMountOfOneFallsBackToAnUpload() throws Exception {
        String upload = startUpload("lib/app");
        HttpResponse<byte[]> unsupported = http.send(HttpRequest.newBuilder(URI.create(upload + "?digest=" + MD5))
                .PUT(BodyPublishers.ofString("x")).build());
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(errorCode(unsupported)).isEqualTo("UNSUPPORTED");
        assertThat(unsupported.headers().firstValue("Allow")).isEmpty();
        HttpResponse<byte[]> invalid = http.send(http.request("/v2/lib/app/blobs/uploads/?digest=sha256:abc")
                .POST(BodyPublishers.ofString("x")).build());
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(errorCode(invalid)).isEqualTo("DIGEST_INVALID");
        // "If a mount fails due to invalid repository or digest arguments, the registry will fall back"
        for (String mount : List.of(MD5, "sha256:abc", "latest")) {
            HttpResponse<byte[]> r = http.send(http.request("/v2/lib/app/blobs/uploads/?mount=" + mount
                    + "&from=lib/other").POST(BodyPublishers.noBody()).build());
            assertThat(r.statusCode()).as(mount).isEqualTo(202);
            assertThat(r.headers().firstValue("Location").orElseThrow()).as(mount).contains("/blobs/uploads/");
        }
    }

    /**
     * Every route answers each method it takes, however odd its argument, without a 405; a 405 is only for a method
     * the route does not take, and its Allow header lists those it does (HEAD wherever GET is).
     */
    @Test
    void noRouteAnswers405ForAMethodItTakes() throws Exception {
        pushImage("lib/app", "v1");
        String upload = URI.create(startUpload("lib/app")).getRawPath().substring("/registry".length());
        String cancelled = URI.create(startUpload("lib/app")).getRawPath().substring("/registry".length());
        Map<String, List<String>> routes = Map.of(
                "/v2/lib/app/manifests/v1:2", List.of("GET", "HEAD", "PUT", "DELETE"),
                "/v2/lib/app/manifests/" + MD5, List.of("GET", "HEAD", "PUT", "DELETE"),
                "/v2/lib/app/blobs/" + MD5, List.of("GET", "HEAD", "DELETE"),
                "/v2/lib/app/blobs/v1:2", List.of("GET", "HEAD", "DELETE"),
                "/v2/lib/app/referrers/" + MD5, List.of("GET", "HEAD"),
                "/v2/lib/app/tags/list", List.of("GET", "HEAD"),
                "/v2/lib/app/blobs/uploads/", List.of("POST"),
                cancelled, List.of("GET", "HEAD", "PATCH", "PUT", "DELETE"),
                "/v2/_catalog", List.of("GET", "HEAD"));
        List<String> every = List.of("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE");
        for (Map.Entry<String, List<String>> route : routes.entrySet()) {
            for (String method : every) {
                String path = route.getKey();
                int status = http.rawStatus(method, path);
                if (route.getValue().contains(method)) {
                    assertThat(status).as(method + " " + path).isBetween(200, 499).isNotEqualTo(405);
                } else {
                    assertThat(status).as(method + " " + path).isEqualTo(405);
                }
            }
        }
        Map<String, String> head = http.head(upload);
        assertThat(head).as("HEAD of an upload answers as GET does").containsEntry(":status", "204")
                .containsEntry("Range", "0-0");
        HttpResponse<byte[]> post = http.send(http.request(upload).POST(BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD, PATCH, PUT, DELETE");
    }

    // ------------------------------------------------------------------ ranges (RFC 9110, section 14)

    @Test
    void rangePositionsPastTheEndAreClampedAndAHugeFirstPositionIsUnsatisfiable() throws Exception {
        byte[] blob = randomBytes(1000);
        String path = "/v2/lib/app/blobs/" + pushBlob("lib/app", blob);
        for (String range : List.of("bytes=0-99999999999999999999", "bytes=0-9223372036854775807",
                "bytes=-99999999999999999999", "bytes=-9223372036854775807", "bytes=-1000", "bytes=0-",
                "bytes=0-999", "Bytes=0-1000")) {
            HttpResponse<byte[]> get = http.send(http.request(path).header("Range", range).GET().build());
            assertThat(get.statusCode()).as(range).isEqualTo(206);
            assertThat(get.headers().firstValue("Content-Range")).as(range).contains("bytes 0-999/1000");
            assertThat(get.body()).as(range).isEqualTo(blob);
            assertThat(http.head(path, "Range: " + range + "\r\n")).as("HEAD " + range)
                    .containsEntry(":status", "206").containsEntry("Content-Range", "bytes 0-999/1000")
                    .containsEntry("Content-Length", "1000").containsEntry(":body-length", "0");
        }
        HttpResponse<byte[]> tail = http.send(http.request(path).header("Range", "bytes=990-99999999999999999999")
                .GET().build());
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(blob, 990, 1000));
        assertThat(tail.headers().firstValue("Content-Range")).contains("bytes 990-999/1000");

        for (String range : List.of("bytes=99999999999999999999-", "bytes=99999999999999999999-99999999999999999999",
                "bytes=9223372036854775807-", "bytes=1000-", "bytes=-0")) {
            HttpResponse<byte[]> get = http.send(http.request(path).header("Range", range).GET().build());
            assertThat(get.statusCode()).as(range).isEqualTo(416);
            assertThat(get.headers().firstValue("Content-Range")).as(range).contains("bytes */1000");
            assertThat(errorCode(get)).as(range).isEqualTo("RANGE_INVALID");
            assertThat(http.head(path, "Range: " + range + "\r\n")).as("HEAD " + range)
                    .containsEntry(":status", "416").containsEntry("Content-Range", "bytes */1000")
                    .containsEntry(":body-length", "0");
        }
        // Invalid (last before first) or not ours (several ranges): ignored, the whole blob is served.
        for (String range : List.of("bytes=5-2", "bytes=0-1,5-6", "items=0-1")) {
            HttpResponse<byte[]> get = http.send(http.request(path).header("Range", range).GET().build());
            assertThat(get.statusCode()).as(range).isEqualTo(200);
            assertThat(get.body()).as(range).isEqualTo(blob);
        }
    }

    /** RFC 9110: of a representation of no bytes, only a suffix range is satisfiable; there is nothing to send. */
    @Test
    void rangesOfAnEmptyBlob() throws Exception {
        String path = "/v2/lib/app/blobs/" + pushBlob("lib/app", new byte[0]);
        HttpResponse<byte[]> suffix = http.send(http.request(path).header("Range", "bytes=-99999999999999999999")
                .GET().build());
        assertThat(suffix.statusCode()).isEqualTo(200);
        assertThat(suffix.body()).isEmpty();
        assertThat(http.head(path, "Range: bytes=-5\r\n")).containsEntry(":status", "200")
                .containsEntry("Content-Length", "0");
        HttpResponse<byte[]> first = http.send(http.request(path).header("Range", "bytes=0-").GET().build());
        assertThat(first.statusCode()).isEqualTo(416);
        assertThat(first.headers().firstValue("Content-Range")).contains("bytes */0");
    }

    /**
     * RFC 9110 13.1.5: a Range comes with If-Range when the client resumes a download it began; the range is honoured
     * when the validator is the blob's ETag, and the whole blob is sent for any other validator (another or a weak
     * entity tag, a date: a blob has no Last-Modified to compare with).
     */
    @Test
    void ifRangeHonoursTheRangeOnlyForTheBlobsOwnEntityTag() throws Exception {
        byte[] bytes = randomBytes(5000);
        Digest digest = pushBlob("lib/app", bytes);
        String path = "/v2/lib/app/blobs/" + digest;
        HttpResponse<byte[]> same = http.send(http.request(path).header("Range", "bytes=1000-")
                .header("If-Range", "\"" + digest + "\"").GET().build());
        assertThat(same.statusCode()).isEqualTo(206);
        assertThat(same.body()).isEqualTo(Arrays.copyOfRange(bytes, 1000, 5000));
        for (String other : List.of("\"sha256:" + "0".repeat(64) + "\"", "W/\"" + digest + "\"",
                "Sat, 05 Dec 2026 10:00:00 GMT")) {
            HttpResponse<byte[]> whole = http.send(http.request(path).header("Range", "bytes=1000-")
                    .header("If-Range", other).GET().build());
            assertThat(whole.statusCode()).as(other).isEqualTo(200);
            assertThat(whole.headers().firstValue("Content-Range")).as(other).isEmpty();
            assertThat(whole.body()).as(other).isEqualTo(bytes);
        }
    }

    // ------------------------------------------------------------------ malformed query strings

    @Test
    void malformedQueryStringsAre400WithTheSpecsBody() throws Exception {
        Digest subject = Digest.sha256(pushImage("lib/app", "v1"));
        String upload = URI.create(startUpload("lib/app")).getRawPath().substring("/registry".length());
        Map<String, String> gets = new LinkedHashMap<>();
        gets.put("/v2/lib/app/tags/list?n=%zz", "PAGINATION_NUMBER_INVALID");
        gets.put("/v2/lib/app/tags/list?n=x", "PAGINATION_NUMBER_INVALID");
        gets.put("/v2/lib/app/tags/list?n=-1", "PAGINATION_NUMBER_INVALID");
        gets.put("/v2/lib/app/tags/list?last=%", "UNSUPPORTED");
        gets.put("/v2/lib/app/tags/list?n=2&last=%e", "UNSUPPORTED");
        gets.put("/v2/_catalog?n=%zz", "PAGINATION_NUMBER_INVALID");
        gets.put("/v2/_catalog?last=%", "UNSUPPORTED");
        gets.put("/v2/lib/app/referrers/" + subject + "?n=%zz", "PAGINATION_NUMBER_INVALID");
        gets.put("/v2/lib/app/referrers/" + subject + "?artifactType=%zz", "UNSUPPORTED");
        gets.put("/v2/lib/app/manifests/v1?%zz", "UNSUPPORTED");
        gets.put(upload + "?last=%", "UNSUPPORTED");
        gets.put("/v2/lib/app/tags/list?ns=%zz", "NAME_INVALID");
        for (Map.Entry<String, String> c : gets.entrySet()) {
            assertRefused("GET", c.getKey(), c.getValue());
            assertThat(http.rawStatus("HEAD", c.getKey())).as("HEAD " + c.getKey()).isEqualTo(400);
        }
        assertRefused("PUT", upload + "?digest=%zz", "DIGEST_INVALID");
        assertRefused("PATCH", upload + "?x=%g1", "UNSUPPORTED");
        assertRefused("POST", "/v2/lib/app/blobs/uploads/?digest=%", "DIGEST_INVALID");
        assertRefused("POST", "/v2/lib/app/blobs/uploads/?mount=%zz&from=lib/app", "DIGEST_INVALID");
        assertRefused("PUT", "/v2/lib/app/manifests/v2?tag=%zz", "TAG_INVALID");
        // the upload took none of the refused requests' bytes
        assertThat(http.head(upload)).containsEntry(":status", "204").containsEntry("Range", "0-0");
    }

    private void assertRefused(String method, String rawPath, String code) throws Exception {
        JettyRegistry.RawResponse r = http.raw(method, rawPath, "");
        assertThat(r.status()).as(method + " " + rawPath).isEqualTo(400);
        assertThat(r.headers()).as(method + " " + rawPath).containsEntry("Content-Type", "application/json")
                .containsEntry("Docker-Distribution-API-Version", "registry/2.0").doesNotContainKey("Allow");
        JsonNode error = JSON.readTree(r.body()).path("errors").get(0);
        assertThat(error.path("code").asText()).as(method + " " + rawPath).isEqualTo(code);
        assertThat(error.path("detail").asText()).as(method + " " + rawPath).isNotBlank();
    }

    // ------------------------------------------------------------------ chunks that disagree with their range

    @Test
    void aChunkedBodyLongerThanItsContentRangeIsRefusedAndAppendsNothing() throws Exception {
        byte[] blob = randomBytes(1_300_000);
        String upload = startUpload("lib/app");
        assertThat(patch(upload, blob, 0, 1000, true).statusCode()).isEqualTo(202);
        // declares 600,000 bytes from 1000 but sends one more: all of the declared ones reach storage first
        HttpResponse<byte[]> tooLong = patchChunked(upload, Arrays.copyOfRange(blob, 1000, 601_001),
                "1000-600999");
        assertThat(tooLong.statusCode()).isEqualTo(416);
        assertThat(errorCode(tooLong)).isEqualTo("RANGE_INVALID");
        assertThat(rangeOf(upload)).isEqualTo("0-999");
        HttpResponse<byte[]> small = patchChunked(upload, Arrays.copyOfRange(blob, 1000, 1200), "1000-1099");
        assertThat(small.statusCode()).isEqualTo(416);
        assertThat(rangeOf(upload)).isEqualTo("0-999");

        HttpResponse<byte[]> right = patchChunked(upload, Arrays.copyOfRange(blob, 1000, 601_000), "1000-600999");
        assertThat(right.statusCode()).isEqualTo(202);
        assertThat(right.headers().firstValue("Range")).contains("0-600999");
        assertThat(commit(upload, blob, 601_000).statusCode()).isEqualTo(201);
        assertThat(http.send(http.request("/v2/lib/app/blobs/" + Digest.sha256(blob)).GET().build()).body())
                .isEqualTo(blob);
    }

    @Test
    void aChunkedBodyShorterThanItsContentRangeIsRefusedAndAppendsNothing() throws Exception {
        byte[] blob = randomBytes(700_000);
        String upload = startUpload("lib/app");
        assertThat(patch(upload, blob, 0, 1000, true).statusCode()).isEqualTo(202);
        HttpResponse<byte[]> tooShort = patchChunked(upload, Arrays.copyOfRange(blob, 1000, 500_000),
                "1000-600999");
        assertThat(tooShort.statusCode()).isEqualTo(416);
        assertThat(errorCode(tooShort)).isEqualTo("RANGE_INVALID");
        assertThat(rangeOf(upload)).isEqualTo("0-999");
        HttpResponse<byte[]> empty = patchChunked(upload, new byte[0], "1000-1999");
        assertThat(empty.statusCode()).isEqualTo(416);
        assertThat(rangeOf(upload)).isEqualTo("0-999");

        assertThat(patchChunked(upload, Arrays.copyOfRange(blob, 1000, 600_000), "1000-599999").statusCode())
                .isEqualTo(202);
        assertThat(rangeOf(upload)).isEqualTo("0-599999");
        assertThat(commit(upload, blob, 600_000).statusCode()).isEqualTo(201);
    }

    /** The last chunk, sent with the PUT that completes the upload, is held to its range in the same way. */
    @Test
    void aFinalChunkThatDisagreesWithItsRangeCommitsNothing() throws Exception {
        byte[] blob = randomBytes(400_000);
        Digest d = Digest.sha256(blob);
        String upload = startUpload("lib/app");
        assertThat(patch(upload, blob, 0, 100_000, true).statusCode()).isEqualTo(202);
        for (byte[] wrong : List.of(Arrays.copyOfRange(blob, 100_000, 399_999), Arrays.copyOf(
                Arrays.copyOfRange(blob, 100_000, 400_000), 300_001))) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(upload + "?digest=" + d))
                    .header("Content-Range", "100000-399999")
                    .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(wrong))).build());
            assertThat(r.statusCode()).as(wrong.length + " bytes").isEqualTo(416);
            assertThat(rangeOf(upload)).isEqualTo("0-99999");
            assertThat(http.send(http.request("/v2/lib/app/blobs/" + d).GET().build()).statusCode()).isEqualTo(404);
        }
        HttpResponse<byte[]> right = http.send(HttpRequest.newBuilder(URI.create(upload + "?digest=" + d))
                .header("Content-Range", "100000-399999").PUT(BodyPublishers.ofInputStream(() ->
                        new ByteArrayInputStream(blob, 100_000, 300_000))).build());
        assertThat(right.statusCode()).isEqualTo(201);
        assertThat(http.send(http.request("/v2/lib/app/blobs/" + d).GET().build()).body()).isEqualTo(blob);
    }

    /** With a Content-Length, the disagreement is known before a byte is read. */
    @Test
    void aContentLengthThatDisagreesWithTheContentRangeIsRefusedBeforeTheBody() throws Exception {
        byte[] blob = randomBytes(2000);
        String upload = startUpload("lib/app");
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(upload)).header("Content-Range",
                "0-1999").method("PATCH", BodyPublishers.ofByteArray(blob, 0, 1000)).build());
        assertThat(r.statusCode()).isEqualTo(416);
        assertThat(errorCode(r)).isEqualTo("RANGE_INVALID");
        assertThat(rangeOf(upload)).isEqualTo("0-0");
        assertThat(patch(upload, blob, 0, 2000, true).statusCode()).isEqualTo(202);
        assertThat(rangeOf(upload)).isEqualTo("0-1999");
    }

    /**
     * The filesystem driver as a driver written before rollbacks were part of the SPI would have it: its writers
     * take the default, which declines.
     */
    static final class DriverWithoutRollback extends ForwardingStorageDriver {
        DriverWithoutRollback(StorageDriver fs) {
            super(fs);
        }

        @Override public String name() { return "no-rollback"; }

        @Override
        public StorageWriter writer(String path, boolean append) throws IOException {
            StorageWriter w = super.writer(path, append);
            return new StorageWriter() {
                @Override public void write(byte[] b, int off, int len) throws IOException { w.write(b, off, len); }
                @Override public long size() { return w.size(); }
                @Override public void commit() throws IOException { w.commit(); }
                @Override public void cancel() throws IOException { w.cancel(); }
                @Override public void close() throws IOException { w.close(); }
            };
        }
    }

    /** Without a rollback, a refused chunk cannot be taken back: the upload is discarded, and the client told so. */
    @Test
    void aStorageThatCannotRollBackDiscardsTheUploadOfARefusedChunk() throws Exception {
        try (Registry plain = Registry.builder().storage(new DriverWithoutRollback(StorageDrivers.create(
                "filesystem", Map.of("rootdirectory", root.resolve("plain").toString())))).build();
                JettyRegistry other = new JettyRegistry(plain, "", ServletOptions.DEFAULTS, AccessGuard.OPEN,
                        async())) {
            JettyRegistry main = http;
            http = other;
            try {
                byte[] blob = randomBytes(400_000);
                String upload = startUpload("lib/app");
                assertThat(patch(upload, blob, 0, 1000, true).statusCode()).isEqualTo(202);
                HttpResponse<byte[]> refused = patchChunked(upload, Arrays.copyOfRange(blob, 1000, 400_000),
                        "1000-300999");
                assertThat(refused.statusCode()).isEqualTo(400);
                assertThat(errorCode(refused)).isEqualTo("BLOB_UPLOAD_INVALID");
                HttpResponse<byte[]> gone = http.send(HttpRequest.newBuilder(URI.create(upload)).GET().build());
                assertThat(gone.statusCode()).isEqualTo(404);
                assertThat(errorCode(gone)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
                Path uploads = root.resolve("plain/docker/registry/v2/repositories/lib/app/_uploads");
                if (Files.exists(uploads)) {
                    assertThat(uploads).as("nothing left of the upload").isEmptyDirectory();
                }
            } finally {
                http = main;
            }
        }
    }

    /**
     * The filesystem driver with a disk that fails, once {@link #failing} is set, every read of a blob's bytes (the
     * stream opens; its first read fails), and that offers no file channels, so downloads read streams.
     */
    static final class FailingReads extends ForwardingStorageDriver {
        volatile boolean failing;

        FailingReads(StorageDriver fs) {
            super(fs);
        }

        @Override public String name() { return "failing-reads"; }

        @Override
        public Optional<FileChannel> fileChannel(String path) {
            return Optional.empty();
        }

        @Override
        public InputStream reader(String path, long offset) throws IOException {
            InputStream in = super.reader(path, offset);
            if (!failing || !path.contains("/blobs/")) {
                return in;
            }
            in.close();
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("Input/output error");
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    throw new IOException("Input/output error");
                }
            };
        }
    }

    /**
     * Storage that fails under a request without a body, before any byte of the answer went out, is the server's
     * failure, not the client's: a 5xx with the spec's body, never the 400 of an unreadable request body, which would
     * send a client hunting for a mistake it did not make.
     */
    @Test
    void aStorageFailureBeforeTheAnswerIsA5xxNotAClientError() throws Exception {
        FailingReads driver = new FailingReads(StorageDrivers.create("filesystem",
                Map.of("rootdirectory", root.resolve("failing").toString())));
        try (Registry failing = Registry.builder().storage(driver).build();
                JettyRegistry other = new JettyRegistry(failing, "", ServletOptions.DEFAULTS, AccessGuard.OPEN,
                        async())) {
            JettyRegistry main = http;
            http = other;
            try {
                byte[] bytes = randomBytes(3000);
                Digest blob = pushBlob("disk/app", bytes);
                driver.failing = true;
                HttpResponse<byte[]> get = http.send(http.request("/v2/disk/app/blobs/" + blob).GET().build());
                assertThat(get.statusCode()).isBetween(500, 599);
                assertThat(errorCode(get)).isIn("UNKNOWN", "UNAVAILABLE");
                assertThat(new String(get.body(), StandardCharsets.UTF_8)).doesNotContain("Input/output error");
                driver.failing = false;
                HttpResponse<byte[]> again = http.send(http.request("/v2/disk/app/blobs/" + blob).GET().build());
                assertThat(again.statusCode()).isEqualTo(200);
                assertThat(again.body()).isEqualTo(bytes);
            } finally {
                http = main;
            }
        }
    }

    /**
     * A chunk refused before its body is read (out of order) is answered once the client has sent the body, on a
     * connection that stays usable: a client that writes the whole body before reading (as the JDK's does) would
     * otherwise meet a reset under its write and never see the 416. A body past the drain limit gets the answer with
     * the connection closed.
     */
    @Test
    void aRefusedChunksBodyIsReadSoTheClientGetsTheAnswerAndKeepsItsConnection() throws Exception {
        String upload = startUpload("drain/app");
        String path = URI.create(upload).getRawPath();
        URI base = URI.create(http.base());
        byte[] body = randomBytes(1 << 20);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: registry\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Range: 5-" + (5 + body.length - 1) + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 416").doesNotContainIgnoringCase("Connection: close");
            in.readNBytes(contentLength(head));

            out.write(("GET " + path + " HTTP/1.1\r\nHost: registry\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String again = readHead(in);
            assertThat(again).as("the same connection answers the next request").startsWith("HTTP/1.1 204")
                    .contains("Range: 0-0");
        }
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            long size = AsyncDrain.LIMIT + (1 << 20);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: registry\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Range: 5-" + (5 + size - 1) + "\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try {
                for (long sent = 0; sent < size; sent += body.length) {
                    out.write(body, 0, (int) Math.min(body.length, size - sent));
                }
                out.flush();
            } catch (IOException closedUnderTheWrite) {
                // past the limit the server may close before the last bytes: the answer is already on its way
            }
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 416").containsIgnoringCase("Connection: close");
        }
        assertThat(rangeOf(upload)).isEqualTo("0-0");
    }

    /** A client that asks before sending ({@code Expect: 100-continue}) is refused at once, and sends nothing. */
    @Test
    void aRefusedChunkThatExpectsContinueIsAnsweredWithoutAskingForItsBody() throws Exception {
        String upload = startUpload("drain/expect");
        URI base = URI.create(http.base());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            socket.getOutputStream().write(("PATCH " + URI.create(upload).getRawPath() + " HTTP/1.1\r\nHost: registry\r\n"
                    + "Content-Type: application/octet-stream\r\nExpect: 100-continue\r\nContent-Range: 5-1048580\r\n"
                    + "Content-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 416");
        }
        assertThat(rangeOf(upload)).isEqualTo("0-0");
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        return head.toString();
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<byte[]> patch(String upload, byte[] blob, int from, int to, boolean withRange)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upload))
                .method("PATCH", BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, from, to)));
        if (withRange) {
            b.header("Content-Range", from + "-" + (to - 1));
        }
        return http.send(b.build());
    }

    /** A PATCH whose body has no Content-Length (chunked transfer encoding), with the given Content-Range. */
    private HttpResponse<byte[]> patchChunked(String upload, byte[] body, String contentRange) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(upload)).header("Content-Range", contentRange)
                .method("PATCH", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
    }

    private HttpResponse<byte[]> commit(String upload, byte[] blob, int from) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(upload + "?digest=" + Digest.sha256(blob)))
                .header("Content-Range", from + "-" + (blob.length - 1))
                .PUT(BodyPublishers.ofByteArray(blob, from, blob.length - from)).build());
    }

    /** The upload's Range, as its status URL tells it. */
    private String rangeOf(String upload) throws Exception {
        HttpResponse<byte[]> status = http.send(HttpRequest.newBuilder(URI.create(upload)).GET().build());
        assertThat(status.statusCode()).isEqualTo(204);
        return status.headers().firstValue("Range").orElseThrow();
    }

    private String startUpload(String repo) throws Exception {
        HttpResponse<byte[]> r = http.send(http.request("/v2/" + repo + "/blobs/uploads/").POST(BodyPublishers.noBody())
                .build());
        assertThat(r.statusCode()).isEqualTo(202);
        return r.headers().firstValue("Location").orElseThrow();
    }

    /** Pushes a config and a layer, and the manifest under {@code tag} when not null; the manifest's bytes. */
    private byte[] pushImage(String repo, String tag) throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"r\":" + random.nextInt() + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(2000);
        pushBlob(repo, config);
        pushBlob(repo, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        if (tag != null) {
            assertThat(http.send(http.request("/v2/" + repo + "/manifests/" + tag).header("Content-Type",
                    MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(manifest)).build()).statusCode())
                    .isEqualTo(201);
        }
        return manifest;
    }

    private Digest pushBlob(String repo, byte[] blob) throws Exception {
        Digest d = Digest.sha256(blob);
        HttpResponse<byte[]> r = http.send(http.request("/v2/" + repo + "/blobs/uploads/?digest=" + d)
                .POST(BodyPublishers.ofByteArray(blob)).build());
        assertThat(r.statusCode()).isEqualTo(201);
        return d;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static String errorCode(HttpResponse<byte[]> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("errors").get(0).path("message").asText()).isNotEmpty();
        return body.path("errors").get(0).path("code").asText();
    }
}
