package dev.berth.server;

import dev.berth.registry.Registry;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.server.config.ServerConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes and pulls once, in the background right after a start, through a throwaway server of the same kind (same
 * limits, same thread model, same servlet options) on a loopback port, over a throwaway filesystem registry in a
 * temporary folder: the classes, the call sites and the first compiled code that the first real push or pull would
 * otherwise wait for are made before it comes. Without it the first pull after a start, measured here, took 2–3 times
 * as long as the second (its first byte alone 0.1–0.7 s later on a loaded 2-core machine).
 *
 * <p>Nothing of it reaches the real registry, its storage, metrics, access log or events: the throwaway server has
 * its own of each, no access log, and no authentication; it is bound to the loopback address only for the warm-up's
 * few seconds at most, and its folder is deleted afterwards. A warm-up that fails (no writable temporary folder, no
 * loopback) is logged at debug level and changes nothing else. {@code -Dberth.warmup=false} turns it off.
 */
final class Warmup implements AutoCloseable {
    /** The system property that turns the warm-up off ({@code false}). */
    static final String PROPERTY = "berth.warmup";
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** Large enough that a download grows past its small first write, as a layer's does. */
    private static final int BLOB = 4 << 20;
    private static final String REPOSITORY = "berth/warmup";
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private final ServerConfig.Http http;
    private final ServletOptions options;
    private final Path tmp;
    private volatile Path folder;
    private final CompletableFuture<Duration> done = new CompletableFuture<>();
    private final Object lock = new Object();
    private BerthServer server;
    private boolean closed;

    private Warmup(ServerConfig.Http http, ServletOptions options, Path tmp) {
        this.http = http;
        this.options = options;
        this.tmp = tmp;
    }

    /** Whether the warm-up is on ({@link #PROPERTY} is not {@code false}). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /** Starts a warm-up like a server with this {@code http} section and these options, on a daemon thread. */
    static Warmup start(ServerConfig.Http http, ServletOptions options) {
        return start(http, options, null);
    }

    /** As {@link #start(ServerConfig.Http, ServletOptions)}, with its folder in {@code tmp} (null: the system's). */
    static Warmup start(ServerConfig.Http http, ServletOptions options, Path tmp) {
        Warmup w = new Warmup(http, options, tmp);
        Thread t = new Thread(w::run, "berth-warmup");
        t.setDaemon(true);
        t.start();
        return w;
    }

    /**
     * Completes with how long the warm-up took once its throwaway server and folder are gone; exceptionally with what
     * stopped it, when something did (the server itself is not affected either way).
     */
    CompletableFuture<Duration> done() {
        return done;
    }

    /** The throwaway registry's folder, once made (deleted when {@link #done()} completes). */
    Optional<Path> folder() {
        return Optional.ofNullable(folder);
    }

    /** Stops a warm-up still running (its throwaway server stops; its folder is deleted by its own thread). */
    @Override
    public void close() {
        BerthServer s;
        synchronized (lock) {
            closed = true;
            s = server;
            server = null;
        }
        closeQuietly(s);
    }

    private void run() {
        long t0 = System.nanoTime();
        Path dir = null;
        Throwable failure = null;
        try {
            dir = tmp == null ? Files.createTempDirectory("berth-warmup-")
                    : Files.createTempDirectory(tmp, "berth-warmup-");
            folder = dir;
            try (Registry registry = Registry.builder().storage("filesystem", Map.of("rootdirectory",
                    dir.toString())).build()) {
                ServerConfig.Http loopback = new ServerConfig.Http(InetAddress.getLoopbackAddress().getHostAddress(), 0,
                        "", Optional.empty(), false, Map.of(), Optional.empty(), Optional.empty(), Duration.ZERO,
                        false, http.limits(), http.threads());
                BerthServer s = BerthServer.startQuietly(registry, loopback, options);
                synchronized (lock) {
                    if (closed) {
                        closeQuietly(s);
                        throw new IOException("stopped before it began");
                    }
                    server = s;
                }
                try {
                    exercise(s.port());
                } finally {
                    close();
                }
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("warm-up: stopped ({})", e.toString());
            failure = e;
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
        if (failure != null) {
            done.completeExceptionally(failure);
        } else {
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            LOG.debug("warm-up: a push and a pull through a throwaway server took {} ms", took.toMillis());
            done.complete(took);
        }
    }

    /** The requests of a push (monolithic and chunked) and of a pull, each checked for the status it should get. */
    private void exercise(int port) throws IOException {
        byte[] layer = new byte[BLOB];
        new Random(port).nextBytes(layer); // random enough to be incompressible; no entropy needed
        byte[] part = new byte[BLOB / 4];
        new Random(~port).nextBytes(part);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String layerDigest = sha256(layer);
        String partDigest = sha256(part);
        String configDigest = sha256(config);
        String base = "/v2/" + REPOSITORY;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(30_000);
            Client c = new Client(socket);
            c.expect(200, "GET", "/v2/", null, null);
            c.expect(404, "HEAD", base + "/blobs/" + layerDigest, null, null);
            c.expect(201, "POST", base + "/blobs/uploads/?digest=" + layerDigest, null, layer);
            c.expect(201, "POST", base + "/blobs/uploads/?digest=" + configDigest, null, config);
            Response started = c.expect(202, "POST", base + "/blobs/uploads/", null, new byte[0]);
            String location = started.pathOf("location");
            Response patched = c.expect(202, "PATCH", location, "Content-Range: 0-" + (part.length - 1), part);
            String next = patched.pathOf("location");
            c.expect(201, "PUT", next + (next.contains("?") ? "&" : "?") + "digest=" + partDigest, null, new byte[0]);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                    + config.length + "},\"layers\":[" + layer("application/vnd.oci.image.layer.v1.tar", layerDigest,
                            layer.length) + "," + layer("application/vnd.oci.image.layer.v1.tar", partDigest,
                                    part.length) + "]}";
            c.expect(201, "PUT", base + "/manifests/latest", "Content-Type: " + MANIFEST_TYPE,
                    manifest.getBytes(StandardCharsets.UTF_8));
            for (int round = 0; round < 2; round++) {
                String accept = "Accept: " + MANIFEST_TYPE + ", application/vnd.oci.image.index.v1+json";
                c.expect(200, "HEAD", base + "/manifests/latest", accept, null);
                c.expect(200, "GET", base + "/manifests/latest", accept, null);
                c.expect(200, "HEAD", base + "/blobs/" + layerDigest, null, null);
                c.expect(200, "GET", base + "/blobs/" + configDigest, null, null);
                c.expect(200, "GET", base + "/blobs/" + layerDigest, null, null);
                c.expect(206, "GET", base + "/blobs/" + partDigest, "Range: bytes=1024-65535", null);
            }
            c.expect(200, "GET", base + "/tags/list", null, null);
            c.expect(200, "GET", "/v2/_catalog?n=10", null, null);
        }
    }

    private static String layer(String type, String digest, long size) {
        return "{\"mediaType\":\"" + type + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(BerthServer s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("warm-up: closing its server: {}", e.toString());
            }
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.debug("warm-up: deleting {}: {}", dir, e.toString());
        }
    }

    /** A response's status and head; its body read and dropped. */
    private record Response(int status, String head) {
        /** The path (and query) of a header's URL value, absolute or relative. */
        String pathOf(String name) throws IOException {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    URI uri = URI.create(line.substring(colon + 1).trim());
                    return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                }
            }
            throw new IOException("no " + name + " header in the answer");
        }
    }

    /** HTTP/1.1 by hand on one kept-alive connection: the warm-up should load what the server needs, little else. */
    private static final class Client {
        private final InputStream in;
        private final OutputStream out;
        private final byte[] sink = new byte[64 << 10];

        Client(Socket socket) throws IOException {
            this.in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
            this.out = socket.getOutputStream();
        }

        Response expect(int status, String method, String target, String header, byte[] body) throws IOException {
            StringBuilder head = new StringBuilder(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: localhost\r\nUser-Agent: berth-warmup\r\n");
            if (header != null) {
                head.append(header).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            Response r = read(method.equals("HEAD"));
            if (r.status != status) {
                throw new IOException(method + " " + target + " answered " + r.status + ", not " + status);
            }
            return r;
        }

        private Response read(boolean head) throws IOException {
            StringBuilder text = new StringBuilder();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the connection closed");
                }
                text.append((char) b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : (b == '\r' ? 1 : 0);
            }
            String h = text.toString();
            int status = Integer.parseInt(h.substring(9, 12));
            long length = 0;
            for (String line : h.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(line.substring(colon + 1).trim());
                }
            }
            if (h.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                throw new IOException("a chunked answer, which the warm-up does not read");
            }
            for (long left = head ? 0 : length; left > 0; ) {
                int n = in.read(sink, 0, (int) Math.min(sink.length, left));
                if (n < 0) {
                    throw new IOException("the connection closed in a body");
                }
                left -= n;
            }
            return new Response(status, h);
        }
    }
}
