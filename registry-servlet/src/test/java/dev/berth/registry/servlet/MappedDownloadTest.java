package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls of a blob that another pull reads at the same time, on the filesystem driver in Jetty: they are written from
 * a shared mapping ({@link MappedBlobs}), and still give the right bytes for whole blobs and ranges, and a client cut
 * off mid-way gets a correct prefix and then the end of the connection. A lone pull, written from buffers in parts,
 * gives the right bytes too.
 */
class MappedDownloadTest {
    static final int BLOB = 6 << 20;

    @TempDir
    Path root;

    final byte[] blob = new byte[BLOB];
    final Digest digest;
    final MappedBlobs.Blob key;
    final List<String> limitsHit = new CopyOnWriteArrayList<>();
    final CountDownLatch cuts = new CountDownLatch(2);
    final List<Socket> sockets = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    Registry registry;
    Server server;
    ServerConnector connector;

    MappedDownloadTest() {
        new Random(System.nanoTime()).nextBytes(blob); // a digest of its own: the mappings are shared in the JVM
        digest = Digest.sha256(blob);
        key = new MappedBlobs.Blob(digest.toString(), BLOB);
    }

    void start(ServletOptions.Limits limits) throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        Repository repo = registry.repository("herd/app");
        repo.uploads().put(digest, new ByteArrayInputStream(blob));
        server = new Server();
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(new RegistryServlet(registry,
                ServletOptions.DEFAULTS.withLimits(limits.withListener(limit -> {
                    limitsHit.add(limit);
                    cuts.countDown();
                })), AccessGuard.OPEN));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.stop();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pullsAndRangesBesideAnotherPullOfTheBlobAreWrittenFromTheSharedMappingWithTheRightBytes() throws Exception {
        start(ServletOptions.Limits.NONE);
        // A pull that reads nothing holds the blob "in flight"...
        Socket holder = open();
        send(holder, "GET /v2/herd/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(statusLine(holder)).startsWith("HTTP/1.1 200");
        assertThat(MappedBlobs.SHARED.pulling(key)).isEqualTo(1);
        long mappedBefore = MappedBlobs.SHARED.mappedBytes();

        // ...so the next ones share a mapping of it.
        HttpResponse<byte[]> whole = get(null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(whole.body())).isEqualTo(digest);
        assertThat(MappedBlobs.SHARED.mappedBytes()).as("mapped").isGreaterThan(mappedBefore);

        HttpResponse<byte[]> range = get("bytes=1000-5000000");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 1000-5000000/" + BLOB);
        assertThat(Arrays.equals(range.body(), Arrays.copyOfRange(blob, 1000, 5000001))).isTrue();

        HttpResponse<byte[]> suffix = get("bytes=-777");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(Arrays.equals(suffix.body(), Arrays.copyOfRange(blob, BLOB - 777, BLOB))).isTrue();

        // The held pull, read at last, is whole too (it began from a buffer and goes on from the mapping).
        byte[] rest = readBody(holder);
        assertThat(Arrays.equals(rest, blob)).isTrue();
    }

    @Test
    void aLonePullIsWrittenFromBuffersInPartsWithTheRightBytes() throws Exception {
        start(ServletOptions.Limits.NONE);
        // No other pull of the blob: read from the file into 4 MiB buffers, written in parts sized by the client.
        HttpResponse<byte[]> whole = get(null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(Arrays.equals(whole.body(), blob)).isTrue();

        HttpResponse<byte[]> range = get("bytes=4194303-6000001"); // across the first buffer's end
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(Arrays.equals(range.body(), Arrays.copyOfRange(blob, 4194303, 6000002))).isTrue();

        // A reader with a 4 KiB socket buffer keeps falling behind and catching up: parts of 16 KiB from a large buffer
        // while it is behind, larger ones between.
        Socket s = open();
        send(s, "GET /v2/herd/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(statusLine(s)).startsWith("HTTP/1.1 200");
        assertThat(Arrays.equals(readBody(s), blob)).isTrue();
        assertThat(MappedBlobs.SHARED.pulling(key)).isZero();
    }

    @Test
    void aPullCutOffMidWayFromTheSharedMappingGetsAPrefixOfTheBlobAndTheEnd() throws Exception {
        start(new ServletOptions.Limits(0, 256 << 10, Duration.ofSeconds(1), Duration.ZERO,
                ServletOptions.LimitListener.NONE));
        Socket holder = open();
        send(holder, "GET /v2/herd/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(statusLine(holder)).startsWith("HTTP/1.1 200");
        Socket cut = open();
        send(cut, "GET /v2/herd/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(statusLine(cut)).startsWith("HTTP/1.1 200");
        assertThat(MappedBlobs.SHARED.pulling(key)).isEqualTo(2);
        // Neither reads on: both fall below the minimum rate and are cut.
        assertThat(cuts.await(30, TimeUnit.SECONDS)).as("both cut within 30 s").isTrue();
        assertThat(limitsHit).containsExactly("min_response_rate", "min_response_rate");
        for (Socket s : List.of(holder, cut)) {
            byte[] got = readBody(s);
            assertThat(got.length).isLessThan(BLOB);
            assertThat(Arrays.equals(got, Arrays.copyOf(blob, got.length))).as("a prefix of the blob").isTrue();
        }
        assertThat(MappedBlobs.SHARED.pulling(key)).isZero();
    }

    private HttpResponse<byte[]> get(String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort()
                + "/v2/herd/app/blobs/" + digest)).timeout(Duration.ofSeconds(30));
        if (range != null) {
            b.header("Range", range);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()), 5000);
        s.setSoTimeout(30_000);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The first line of the response, read byte by byte so that nothing after it is consumed. */
    private static String statusLine(Socket s) throws IOException {
        StringBuilder line = new StringBuilder();
        InputStream in = s.getInputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    /** The rest of the head, then the body up to its length or the end of the connection (a reset ends it too). */
    private static byte[] readBody(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                return new byte[0];
            }
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 << 10];
        try {
            int n;
            while (body.size() < BLOB && (n = in.read(chunk, 0, Math.min(chunk.length, BLOB - body.size()))) >= 0) {
                body.write(chunk, 0, n);
            }
        } catch (IOException reset) {
            // a reset is as good as an end here
        }
        return body.toByteArray();
    }
}
