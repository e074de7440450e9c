package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Digest;
import dev.berth.server.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server on a bad day: more slow clients than it has request threads (its platform pool holds 200),
 * downloading and uploading at a trickle, and a well-behaved client is still answered every time; a client below the
 * minimum rate is cut off, and its upload resumes afterwards. Runs on Java 17 (platform threads: the servlet's
 * asynchronous I/O is what keeps threads free) and on Java 25 (virtual threads as well).
 */
class SlowClientsServerTest {
    static final int READERS = 600;
    static final int UPLOADERS = 200;
    static final int BLOB = 8 << 20;

    @TempDir
    Path root;
    final byte[] blob = new byte[BLOB];
    final Digest digest;
    final List<Socket> sockets = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    BerthServer server;

    SlowClientsServerTest() {
        new Random(600).nextBytes(blob);
        digest = Digest.sha256(blob);
    }

    void start(String limits) throws Exception {
        server = Main.serve(ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {rootdirectory: " + root
                + "}}\nlog: {level: warn, accesslog: {disabled: true}}\nhttp:\n  addr: 127.0.0.1:0\n  threads: platform\n"
                + "  limits: {" + limits + "}\n", Map.of()));
        HttpResponse<String> pushed = client.send(HttpRequest.newBuilder(uri("/v2/public/app/blobs/uploads/?digest="
                + digest)).POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).isEqualTo(201);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest
                + "\",\"size\":" + BLOB + "},\"layers\":[]}";
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(uri("/v2/public/app/manifests/v1"))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void moreSlowClientsThanThreadsLeaveAWellBehavedClientServed() throws Exception {
        start("");
        for (int i = 0; i < READERS; i++) {
            send(open(), "GET /v2/public/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        for (int i = 0; i < UPLOADERS; i++) {
            String location = startUpload();
            send(open(), "PATCH " + URI.create(location).getRawPath() + " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    + "application/octet-stream\r\nContent-Length: 1048576\r\n\r\n" + "x".repeat(1000));
        }
        // Each slow reader has its answer's head: every one of them reached the registry.
        for (int i = 0; i < READERS; i++) {
            assertThat(statusLine(sockets.get(i))).startsWith("HTTP/1.1 200");
        }
        assertThat(server.metrics().scrape()).contains("berth_http_connections_open");
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/v2/public/app/manifests/v1"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            millis.add((System.nanoTime() - t0) / 1_000_000);
            assertThat(r.statusCode()).isEqualTo(200);
        }
        // A full pull and a push go through too.
        HttpResponse<byte[]> pull = client.send(HttpRequest.newBuilder(uri("/v2/public/app/blobs/" + digest))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(Digest.sha256(pull.body())).isEqualTo(digest);
        byte[] small = "pushed meanwhile".getBytes(StandardCharsets.UTF_8);
        assertThat(client.send(HttpRequest.newBuilder(uri("/v2/public/app/blobs/uploads/?digest="
                + Digest.sha256(small))).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(small)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(201);
        millis.sort(null);
        System.out.printf("well-behaved GET manifest beside %d slow readers and %d slow uploaders: p50 %d ms, "
                + "p99 %d ms, max %d ms%n", READERS, UPLOADERS, millis.get(50), millis.get(98), millis.get(99));
    }

    @Test
    void anUploadBelowTheMinimumRateIsCutAndResumes() throws Exception {
        start("minrequestrate: 65536, rategrace: 1s");
        String location = startUpload();
        Socket s = open();
        send(s, "PATCH " + URI.create(location).getRawPath() + " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/octet-stream\r\nContent-Length: " + BLOB + "\r\n\r\n");
        s.getOutputStream().write(blob, 0, 5000);
        s.getOutputStream().flush();
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 400").contains("BLOB_UPLOAD_INVALID");
        assertThat(server.metrics().scrape()).containsPattern("berth_http_limit_hits_total\\{limit=\"min_request_rate\""
                + "[^\\n]*\\} 1\\.0");

        HttpResponse<String> status = client.send(HttpRequest.newBuilder(URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.headers().firstValue("Range")).hasValue("0-4999");
        HttpResponse<String> done = client.send(HttpRequest.newBuilder(URI.create(location + "?digest=" + digest))
                .header("Content-Range", "5000-" + (BLOB - 1)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 5000, BLOB))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(201);
    }

    @Test
    void slowAnonymousTokenFormsLeaveTheBuiltinIssuerServing() throws Exception {
        Path htpasswd = root.resolveSibling(root.getFileName() + "-htpasswd");
        AuthClientsTest.htpasswd("-cbB", htpasswd, "alice", "alice-pw");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // the realm names the server's own address
        }
        server = Main.serve(ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {rootdirectory: " + root
                + "}}\nlog: {level: warn, accesslog: {disabled: true}}\nhttp:\n  addr: 127.0.0.1:" + port
                + "\n  threads: platform\n  limits: {bodytimeout: 3s}\nauth:\n  token:\n    realm: http://127.0.0.1:"
                + port + "/auth/token\n    service: berth-test\n    issuer: berth-test\n    builtin: {htpasswd: {path: "
                + htpasswd + "}}\n" + AuthClientsTest.RULES, Map.of()));
        int slow = 300; // more than the 200 request threads
        for (int i = 0; i < slow; i++) {
            send(open(), "POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                    + "\r\nContent-Length: 300\r\n\r\ngrant_type=password&username=alice&pass");
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:alice-pw".getBytes(
                StandardCharsets.UTF_8));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> token = client.send(HttpRequest.newBuilder(uri("/auth/token?service=berth-test"
                    + "&scope=repository:public/app:pull")).header("Authorization", basic)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            String bearer = token.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
            HttpResponse<String> v2 = client.send(HttpRequest.newBuilder(uri("/v2/public/app/tags/list"))
                    .header("Authorization", "Bearer " + bearer).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(v2.statusCode()).as(v2.body()).isEqualTo(404); // let in: the repository does not exist
        }
        for (Socket s : sockets) {
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408");
        }
        assertThat(server.metrics().scrape()).containsPattern("berth_http_limit_hits_total\\{limit=\"body_timeout\""
                + "[^\\n]*\\} " + slow + "\\.0");
    }

    private String startUpload() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/v2/public/app/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(202);
        String location = r.headers().firstValue("Location").orElseThrow();
        return location.startsWith("/") ? uri(location).toString() : location;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        s.setSoTimeout(30_000);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String statusLine(Socket s) throws IOException {
        StringBuilder line = new StringBuilder();
        InputStream in = s.getInputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
