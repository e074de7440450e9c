package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.model.Digest;
import dev.berth.server.tls.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a real process: a config file plus environment overrides, HTTPS with a certificate made for the
 * test, a push and pull with jib, SIGTERM in the middle of an upload (which completes, then the process exits with
 * 0, as registry:2 does), and a second process that finishes it; SIGINT also exits with 0.
 */
class ServerProcessIT {
    @TempDir
    static Path pkiDir;
    static TestPki pki;
    @TempDir
    Path dir;
    HttpClient http;

    @BeforeAll
    static void trustTheTestCa() throws Exception {
        pki = TestPki.create(pkiDir);
        // jib verifies certificates with the JVM's default trust store; this test's JVM trusts only the test CA.
        Path store = pki.writeTrustStore(pkiDir.resolve("trust.p12"), "changeit".toCharArray());
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @Test
    void servesFromAConfigFileWithEnvironmentOverridesAndDrainsAnUploadOnSigterm() throws Exception {
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(pki.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
        TestPki.Identity cert = pki.server(TestPki.KeyType.EC, TestPki.KeyFormat.TRADITIONAL, true);
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: /this/is/overridden
                  delete:
                    enabled: false
                http:
                  addr: 127.0.0.1:5000
                  draintimeout: 20s
                  tls:
                    minimumtls: tls1.2
                  debug:
                    addr: 127.0.0.1:0
                    prometheus:
                      enabled: true
                """);
        Map<String, String> env = Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", data.toString(),
                "REGISTRY_HTTP_ADDR", "127.0.0.1:0", "REGISTRY_STORAGE_DELETE_ENABLED", "true",
                "REGISTRY_HTTP_TLS_CERTIFICATE", cert.certificateFile().toString(),
                "REGISTRY_HTTP_TLS_KEY", cert.keyFile().toString());
        Path log = dir.resolve("server.log");
        String image;
        String upload;
        byte[] chunk = new byte[3 << 20];
        new Random(7).nextBytes(chunk);
        try (ServerProcess server = ServerProcess.start(log, env, "serve", config.toString())) {
            server.awaitListening(Duration.ofSeconds(30));
            assertThat(server.scheme).isEqualTo("https");
            String base = "https://127.0.0.1:" + server.port;
            assertThat(get(base + "/v2/").statusCode()).isEqualTo(200);
            System.out.printf("startup to first GET /v2/ 200: %d ms%n", (System.nanoTime() - server.startedNanos)
                    / 1_000_000);

            // A real client pushes and pulls; the env override put the data where the test looks.
            image = "127.0.0.1:" + server.port + "/process/app:1";
            Path file = Files.write(dir.resolve("app.bin"), chunk);
            JibContainer pushed = Jib.fromScratch().addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
                    .containerize(Containerizer.to(RegistryImage.named(image)));
            JibContainer pulled = Jib.from(RegistryImage.named(image)).containerize(Containerizer.to(
                    TarImage.at(dir.resolve("pulled.tar")).named("pulled:1")));
            assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
            assertThat(data.resolve("docker/registry/v2/repositories/process/app/_manifests/tags/1/current/link"))
                    .exists();

            // The debug port: storage health, and Prometheus metrics that saw the push and the pull.
            assertThat(server.debugPort).isPositive();
            HttpClient plain = HttpClient.newHttpClient();
            String debug = "http://127.0.0.1:" + server.debugPort;
            assertThat(plain.send(HttpRequest.newBuilder(URI.create(debug + "/debug/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            String metrics = plain.send(HttpRequest.newBuilder(URI.create(debug + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("berth_http_requests_seconds_count\\{[^}]*route=\"manifest\"[^}]*"
                    + "status=\"201\"[^}]*} [1-9]")
                    .containsPattern("berth_blob_pull_seconds_count(\\{[^}]*})? [1-9]")
                    .containsPattern("berth_blob_upload_seconds_count(\\{[^}]*})? [1-9]")
                    .contains("jvm_memory_used_bytes")
                    .doesNotContain("process/app");
            assertThat(server.logText()).as("access log").containsPattern("\"PUT /v2/process/app/manifests/1\\S*\" 201");

            // An upload in flight when SIGTERM arrives: its chunk is allowed to finish within the drain timeout.
            HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/v2/process/big/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(start.statusCode()).isEqualTo(202);
            upload = URI.create(start.headers().firstValue("Location").orElseThrow()).getPath();
            try (Socket socket = pki.clientContext().getSocketFactory().createSocket("127.0.0.1", server.port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + upload + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
                        + "\r\nContent-Length: " + chunk.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk, 0, chunk.length / 2);
                out.flush();
                Path part = data.resolve("docker/registry/v2/repositories/process/big/_uploads/"
                        + upload.substring(upload.lastIndexOf('/') + 1) + "/data");
                awaitTrue("the first half is being written", () -> Files.exists(part) && Files.size(part) > 0);
                server.terminate();
                awaitTrue("the server begins to stop", () -> server.logText().contains("stopping"));
                assertThat(server.process.isAlive()).as("the server waits for the request in flight").isTrue();
                out.write(chunk, chunk.length / 2, chunk.length - chunk.length / 2);
                out.flush();
                String status = readStatusLine(socket.getInputStream());
                assertThat(status).startsWith("HTTP/1.1 202");
            }
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as("the exit status after SIGTERM and the drain")
                    .isEqualTo(0);
            assertThat(server.logText()).contains("stopping").contains("stopped");
        }

        // The store is intact: a new process serves the image and continues the upload from where it stood.
        try (ServerProcess again = ServerProcess.start(dir.resolve("again.log"), env, "serve", config.toString())) {
            again.awaitListening(Duration.ofSeconds(30));
            String base = "https://127.0.0.1:" + again.port;
            HttpResponse<String> status = get(base + upload);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).contains("0-" + (chunk.length - 1));
            HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(base + upload + "?digest="
                    + Digest.sha256(chunk))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(get(base + "/v2/process/app/manifests/1").statusCode()).isEqualTo(200);
        }
    }

    /** Ctrl-C in a terminal: SIGINT stops the server as SIGTERM does, with exit status 0 once it has drained. */
    @Test
    void exitsWithZeroOnSigint() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("sigint.log"), Map.of(), "serve", "--port", "0",
                "--root", dir.resolve("data").toString())) {
            server.awaitListening(Duration.ofSeconds(30));
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(server.process.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(0);
            assertThat(server.logText()).contains("stopping: finishing requests in flight").contains("stopped");
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean done() throws Exception;
    }

    /** Waits for {@code check} to hold, for at most 30 s (never reached when the server is right). */
    private static void awaitTrue(String what, Check check) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.done()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(10);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept",
                "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String readStatusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
