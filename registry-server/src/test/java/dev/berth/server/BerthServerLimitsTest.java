package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import dev.berth.server.tls.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.limits} and {@code http.threads} on a real server, through raw sockets: what a slow, greedy or silent
 * client sees, and that everyone else is still served meanwhile.
 */
class BerthServerLimitsTest {
    /** How long a test waits for something that should happen at once; never reached when the server is right. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path pkiDir;
    static TestPki pki;
    static TestPki.Identity cert;

    private final List<Socket> sockets = new ArrayList<>();
    private final List<BerthServer> servers = new ArrayList<>();

    /**
     * The first request in a JVM loads classes for a while; under a short header timeout that request could be the one
     * cut off. One over HTTP and one over HTTPS, on a server with the default limits, take that time here.
     */
    @BeforeAll
    static void warmUp() throws Exception {
        pki = TestPki.create(pkiDir);
        cert = pki.server(TestPki.KeyType.EC, TestPki.KeyFormat.PKCS8, false);
        try (BerthServer plain = Main.serve(config("")); BerthServer tls = Main.serve(config(tls()))) {
            HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext()).build();
            for (BerthServer server : List.of(plain, tls)) {
                assertThat(client.send(HttpRequest.newBuilder(URI.create(server.scheme() + "://127.0.0.1:"
                        + server.port() + "/v2/")).timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).isEqualTo(200);
            }
        }
    }

    static ServerConfig config(String http) {
        return ConfigLoader.parse("version: 0.1\nstorage: {inmemory: {}}\nlog: {accesslog: {disabled: true}}\n"
                + "http:\n  addr: 127.0.0.1:0\n" + http, Map.of());
    }

    static String tls() {
        return "  tls: {certificate: " + cert.certificateFile() + ", key: " + cert.keyFile() + "}\n";
    }

    /** The sockets first: a server stopping with connections open gives them a second to finish. */
    @AfterEach
    void close() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        for (BerthServer s : servers) {
            s.close();
        }
    }

    BerthServer serve(String http) throws Exception {
        BerthServer server = Main.serve(config(http));
        servers.add(server);
        return server;
    }

    /** A connection to the server from {@code from}, a loopback address of the client's choosing. */
    Socket connect(BerthServer server, String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()));
        s.setSoTimeout((int) PATIENCE.toMillis());
        return s;
    }

    /** Sends {@code GET /v2/} on the connection, keeping it open, and returns the response's status. */
    static int get(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET /v2/ HTTP/1.1\r\nHost: registry\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(text.substring(9, 12));
    }

    /** Whether the server closed the connection: blocks until it does, or until {@link #PATIENCE} runs out. */
    static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    static double hits(BerthServer server, String limit) {
        return server.metrics().meterRegistry().get("berth.http.limit.hits").tag("limit", limit).counter().count();
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(done.getAsBoolean()).as(what).isTrue();
    }

    /**
     * A graceful stop gives a connection idle between requests a second, but an upload in flight keeps its idle
     * timeout: here the client pauses longer than that second half way through a PATCH, and the chunk is still taken.
     */
    @Test
    void aStopClosesIdleConnectionsSoonButFinishesAnUploadThatPausesMidBody() throws Exception {
        Path root = pkiDir.resolve("graceful-" + System.nanoTime());
        BerthServer server = Main.serve(ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {rootdirectory: "
                + root + "}}\nlog: {accesslog: {disabled: true}}\nhttp:\n  addr: 127.0.0.1:0\n  draintimeout: 60s\n",
                Map.of()));
        servers.add(server);
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> started = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + "/v2/stop/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(202);
        String upload = URI.create(started.headers().firstValue("Location").orElseThrow()).getPath();
        Path data = root.resolve("docker/registry/v2/repositories/stop/_uploads/"
                + upload.substring(upload.lastIndexOf('/') + 1) + "/data");

        byte[] chunk = new byte[2 << 20];
        new Random(3).nextBytes(chunk);
        Socket uploading = connect(server, "127.0.0.1");
        OutputStream out = uploading.getOutputStream();
        out.write(("PATCH " + upload + " HTTP/1.1\r\nHost: registry\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + chunk.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(chunk, 0, chunk.length / 2);
        out.flush();
        await("the first half is being written", () -> data.toFile().length() > 0);

        // Its last byte came after the upload's, so its idle second ends after the upload's would have.
        Socket idle = connect(server, "127.0.0.1");
        assertThat(get(idle)).isEqualTo(200);
        Thread stopping = new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "stopping");
        stopping.start();
        assertThat(closedByServer(idle)).as("an idle connection is closed once the stop begins").isTrue();

        out.write(chunk, chunk.length / 2, chunk.length - chunk.length / 2);
        out.flush();
        InputStream in = uploading.getInputStream();
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 202").contains("Range: 0-" + (chunk.length - 1))
                .containsIgnoringCase("Connection: close");
        stopping.join(PATIENCE.toMillis());
        assertThat(stopping.isAlive()).as("the stop ends once the upload is answered").isFalse();
        assertThat(Files.size(data)).isEqualTo(chunk.length);
    }

    @Test
    void aClientPastItsCapIsClosedAtOnceWhileAnotherAddressIsServed() throws Exception {
        BerthServer server = serve("  limits: {maxconnectionsperclient: 3}\n");
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = connect(server, "127.0.0.1");
            assertThat(get(s)).isEqualTo(200); // answered: accepted and counted before the next one
            held.add(s);
        }
        Socket fourth = connect(server, "127.0.0.1");
        assertThat(closedByServer(fourth)).isTrue();
        assertThat(hits(server, "per_client_connections")).isEqualTo(1);

        Socket elsewhere = connect(server, "127.0.0.2");
        assertThat(get(elsewhere)).isEqualTo(200);
        assertThat(get(held.get(0))).as("the connections within the cap keep working").isEqualTo(200);

        held.get(1).close();
        await("a closed connection frees its place", () -> server.metrics().scrape()
                .contains("berth_http_connections_open 3.0"));
        assertThat(get(connect(server, "127.0.0.1"))).isEqualTo(200);
        assertThat(server.metrics().scrape())
                .contains("berth_http_limit_hits_total{limit=\"per_client_connections\"} 1.0");
    }

    @Test
    void aRequestLineSentByHalvesIsCutOffAfterTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        BerthServer server = serve("  limits: {headertimeout: 2s}\n");
        // Opened first, so its deadline passes first: a connection that sent a request is left alone.
        Socket served = connect(server, "127.0.0.1");
        assertThat(get(served)).isEqualTo(200);

        Socket slow = connect(server, "127.0.0.1");
        long opened = System.nanoTime();
        slow.getOutputStream().write("GET /v2/ HT".getBytes(StandardCharsets.US_ASCII));
        slow.getOutputStream().flush();
        assertThat(get(connect(server, "127.0.0.1"))).as("another connection meanwhile").isEqualTo(200);

        assertThat(closedByServer(slow)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(hits(server, "header_timeout")).isEqualTo(1);
        assertThat(get(served)).as("its deadline passed, and it had sent a request").isEqualTo(200);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        BerthServer server = serve("  limits: {headertimeout: 1s}\n");
        assertThat(closedByServer(connect(server, "127.0.0.1"))).isTrue();
        assertThat(hits(server, "header_timeout")).isEqualTo(1);
    }

    @Test
    void overTlsEachSocketCountsOnceAndTheHeaderTimeoutCoversTheHandshake() throws Exception {
        BerthServer server = serve(tls() + "  limits: {headertimeout: 2s, maxconnectionsperclient: 3}\n");
        SSLSocketFactory tls = pki.clientContext().getSocketFactory();
        // HTTP/1.1 (no ALPN offered), opened first so that its deadline passes first.
        Socket served = tls.createSocket(connect(server, "127.0.0.1"), "127.0.0.1", server.port(), true);
        assertThat(get(served)).isEqualTo(200);
        HttpClient h2 = HttpClient.newBuilder().sslContext(pki.clientContext()).version(HttpClient.Version.HTTP_2)
                .build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port()
                + "/v2/")).timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);

        Socket noHandshake = connect(server, "127.0.0.2");
        SSLSocket noRequest = (SSLSocket) tls.createSocket(connect(server, "127.0.0.2"), "127.0.0.1",
                server.port(), true);
        noRequest.startHandshake();
        assertThat(closedByServer(noHandshake)).isTrue();
        assertThat(closedByServer(noRequest)).isTrue();
        assertThat(hits(server, "header_timeout")).isEqualTo(2);
        assertThat(get(served)).as("its deadline passed after its request").isEqualTo(200);

        // Two TLS connections from 127.0.0.1 (HTTP/1.1 and HTTP/2): a third fits under the cap of 3, a fourth not.
        assertThat(get(tls.createSocket(connect(server, "127.0.0.1"), "127.0.0.1", server.port(), true)))
                .isEqualTo(200);
        assertThat(closedByServer(connect(server, "127.0.0.1"))).isTrue();
        assertThat(hits(server, "per_client_connections")).isEqualTo(1);
    }

    @Test
    void atTheTotalCapTheServerStopsAcceptingUntilAConnectionCloses() throws Exception {
        BerthServer server = serve("  limits: {maxconnections: 2, maxconnectionsperclient: 0}\n");
        Socket first = connect(server, "127.0.0.1");
        Socket second = connect(server, "127.0.0.2");
        assertThat(get(first)).isEqualTo(200);
        assertThat(get(second)).isEqualTo(200);
        await("the cap is reached", () -> hits(server, "connections") == 1);

        // The kernel completes the handshake; the server takes the connection only once another has gone.
        Socket waiting = connect(server, "127.0.0.3");
        first.close();
        assertThat(get(waiting)).isEqualTo(200);
        assertThat(hits(server, "per_client_connections")).isZero();
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeoutAndCounted() throws Exception {
        BerthServer server = serve("  limits: {idletimeout: 1s, headertimeout: 30s}\n");
        Socket idle = connect(server, "127.0.0.1");
        assertThat(get(idle)).isEqualTo(200);
        assertThat(closedByServer(idle)).isTrue();
        await("the idle timeout is counted", () -> hits(server, "idle_timeout") >= 1);
        assertThat(hits(server, "header_timeout")).isZero();
    }

    /** One test for both JVMs CI runs on (17 and 25), so that neither skips it. */
    @Test
    void autoRunsRequestsOnVirtualThreadsFromJava21AndOnPlatformThreadsBefore() throws Exception {
        boolean virtual = Runtime.version().feature() >= 21;
        BerthServer server = serve("  threads: auto\n");
        assertThat(server.virtualThreads()).isEqualTo(virtual);
        assertThat(get(connect(server, "127.0.0.1"))).isEqualTo(200);
        if (virtual) {
            assertThat(serve("  threads: virtual\n").virtualThreads()).isTrue();
            return;
        }
        ServerConfig.Http asked = new ServerConfig.Http("127.0.0.1", 0, "", Optional.empty(), false, Map.of(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(1), true, ServerConfig.Limits.DEFAULTS,
                ServerConfig.Threads.VIRTUAL);
        Registry registry = Registry.builder().storage("inmemory", Map.of()).build();
        try {
            assertThatThrownBy(() -> BerthServer.start(registry, asked, ServletOptions.DEFAULTS, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.threads: ");
        } finally {
            registry.close();
        }
    }

    @Test
    void platformThreadsCanBeChosenOnAnyJava() throws Exception {
        BerthServer server = serve("  threads: platform\n");
        assertThat(server.virtualThreads()).isFalse();
        assertThat(get(connect(server, "127.0.0.1"))).isEqualTo(200);
    }
}
