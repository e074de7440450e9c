package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow clients against the servlet in a Jetty with a small thread pool: they hold connections, never the threads
 * that a well-behaved client needs, and those slower than the minimum rate are cut off, their uploads resumable.
 */
class SlowClientsTest {
    static final int THREADS = 24;
    static final int BLOB = 16 << 20;

    final byte[] blob = new byte[BLOB];
    final Digest digest;
    final List<String> limitsHit = new CopyOnWriteArrayList<>();
    final CountDownLatch firstHit = new CountDownLatch(1);
    final List<Socket> sockets = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    Registry registry;
    Server server;
    ServerConnector connector;

    SlowClientsTest() {
        new Random(14).nextBytes(blob);
        digest = Digest.sha256(blob);
    }

    void start(ServletOptions.Limits limits) throws Exception {
        registry = Registry.builder().storage("inmemory", Map.of()).build();
        Repository repo = registry.repository("slow/app");
        repo.uploads().put(digest, new ByteArrayInputStream(blob));
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + Digest.sha256(config) + "\",\"size\":2},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + digest + "\",\"size\":" + BLOB + "}]}";
        repo.manifests().put(Reference.parse("v1"), "application/vnd.oci.image.manifest.v1+json",
                manifest.getBytes(StandardCharsets.UTF_8), List.of());

        QueuedThreadPool threads = new QueuedThreadPool(THREADS, 4);
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setIdleTimeout(120_000); // only the servlet's own limits may cut anyone here
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(new RegistryServlet(registry,
                ServletOptions.DEFAULTS.withLimits(limits.withListener(limit -> {
                    limitsHit.add(limit);
                    firstHit.countDown();
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
    void manySlowReadersAndUploadersDoNotStarveAWellBehavedClient() throws Exception {
        start(ServletOptions.Limits.NONE);
        int readers = 10 * THREADS;
        int uploaders = 4 * THREADS;
        for (int i = 0; i < readers; i++) {
            Socket s = open();
            send(s, "GET /v2/slow/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            // it never reads: the server's writes to it wait forever
        }
        for (int i = 0; i < uploaders; i++) {
            String location = startUpload();
            Socket s = open();
            send(s, "PATCH " + URI.create(location).getRawPath() + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\nx");
            // one byte of a mebibyte, then silence
        }
        // Every slow request has reached the servlet (a 200 header came back to each reader)...
        for (int i = 0; i < readers; i++) {
            assertThat(statusLine(sockets.get(i))).startsWith("HTTP/1.1 200");
        }
        // ...and still a well-behaved client gets every answer, promptly.
        for (int i = 0; i < 50; i++) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/v2/slow/app/manifests/v1"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        HttpResponse<byte[]> pull = client.send(HttpRequest.newBuilder(uri("/v2/slow/app/blobs/" + digest))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pull.statusCode()).isEqualTo(200);
        assertThat(Digest.sha256(pull.body())).isEqualTo(digest);
        assertThat(Transfers.WATCH.openCount()).isGreaterThanOrEqualTo(readers + uploaders);
    }

    @Test
    void anUploadSlowerThanTheMinimumRateIsCutAndCanBeResumed() throws Exception {
        start(new ServletOptions.Limits(64 << 10, 0, Duration.ofSeconds(1), Duration.ZERO,
                ServletOptions.LimitListener.NONE));
        String location = startUpload();
        Socket s = open();
        byte[] first = Arrays.copyOf(blob, 1000);
        send(s, "PATCH " + URI.create(location).getRawPath() + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: " + BLOB + "\r\n\r\n");
        s.getOutputStream().write(first);
        s.getOutputStream().flush();
        // The server answers (the connection is then closed) without our sending another byte.
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 400").contains("BLOB_UPLOAD_INVALID").contains("resume");
        assertThat(limitsHit).containsExactly("min_request_rate");

        HttpResponse<byte[]> status = client.send(HttpRequest.newBuilder(URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-999");
        HttpResponse<byte[]> rest = client.send(HttpRequest.newBuilder(URI.create(location))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob, 1000, BLOB - 1000))
                .header("Content-Range", "1000-" + (BLOB - 1)).header("Content-Type", "application/octet-stream")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(rest.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> done = client.send(HttpRequest.newBuilder(URI.create(
                rest.headers().firstValue("Location").orElseThrow() + "?digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(done.statusCode()).isEqualTo(201);
    }

    @Test
    void aDownloadSlowerThanTheMinimumRateIsCutOff() throws Exception {
        start(new ServletOptions.Limits(0, 64 << 10, Duration.ofSeconds(1), Duration.ZERO,
                ServletOptions.LimitListener.NONE));
        Socket s = open();
        send(s, "GET /v2/slow/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(statusLine(s)).startsWith("HTTP/1.1 200");
        // Read nothing until the server gives up on us, then all it sent: less than the blob, then the end.
        assertThat(firstHit.await(30, TimeUnit.SECONDS)).as("cut within 30 s").isTrue();
        assertThat(limitsHit).containsExactly("min_response_rate");
        long received = 0;
        InputStream in = s.getInputStream();
        byte[] sink = new byte[64 << 10];
        int n;
        try {
            while ((n = in.read(sink)) >= 0) {
                received += n;
            }
        } catch (IOException reset) {
            // a reset is as good as an end here
        }
        assertThat(received).isLessThan(BLOB);
    }

    @Test
    void aManifestThatDoesNotArriveWithinTheBodyTimeoutIsRefused() throws Exception {
        start(new ServletOptions.Limits(0, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                ServletOptions.LimitListener.NONE));
        Socket s = open();
        send(s, "PUT /v2/slow/app/manifests/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 400\r\n\r\n{\"schemaVersion\"");
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 400").contains("MANIFEST_INVALID").contains("did not arrive");
        assertThat(limitsHit).containsExactly("body_timeout");
        HttpResponse<byte[]> tag = client.send(HttpRequest.newBuilder(uri("/v2/slow/app/manifests/v2")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(tag.statusCode()).isEqualTo(404);
    }

    private String startUpload() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/v2/slow/app/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(202);
        return r.headers().firstValue("Location").orElseThrow();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
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
}
