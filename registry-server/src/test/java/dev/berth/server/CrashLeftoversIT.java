package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real server process in the middle of pushes leaves what no clean stop would: the filesystem driver's
 * temporary files of whole objects ({@code .berth-tmp-*}, a manifest of a few MiB written beside its final name,
 * fsynced, then renamed) and a half-received blob upload. A second process with upload purging on removes both, and
 * every blob that was complete before the kill is intact.
 *
 * <p>A temporary file lives for one write and fsync, so a kill at a random moment would catch one only now and then.
 * The test makes the moment for real instead: clients push big manifests without pause; when a temporary file is
 * seen on the disk, the server is frozen with SIGSTOP, and if the file is still there (not renamed in between) it is
 * killed with SIGKILL; otherwise it is let go on with SIGCONT and the test watches for the next one.
 */
class CrashLeftoversIT {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String TEMP_PREFIX = ".berth-tmp-";
    private static final Duration PURGE_AGE = Duration.ofSeconds(1);
    private static final Pattern PURGE_LINE = Pattern.compile(
            "upload purging: deleted (\\d+) upload\\(s\\).* and (\\d+) incomplete storage write\\(s\\)");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void leftoversOfAKilledServerArePurgedAndCompleteBlobsAreIntact() throws Exception {
        Path data = dir.resolve("data");
        Path blobs = data.resolve("docker/registry/v2/blobs");
        Path crashConfig = Files.writeString(dir.resolve("crash.yml"), config(data, false));
        Map<String, Digest> complete = new ConcurrentHashMap<>(); // what got 201: must survive the kill
        Map<Digest, byte[]> blobBytes = new ConcurrentHashMap<>();
        List<Path> leftovers;
        Path partialUpload;

        try (ServerProcess server = ServerProcess.start(dir.resolve("crash.log"), Map.of(), "serve",
                crashConfig.toString())) {
            server.awaitListening(Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + server.port;
            // Complete blobs first: a config and a layer every manifest below references.
            Random random = new Random(42);
            byte[] layer = new byte[3 << 20];
            random.nextBytes(layer);
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : List.of(layer, config)) {
                Digest d = Digest.sha256(blob);
                assertThat(send("POST", base + "/v2/crash/app/blobs/uploads/?digest=" + d, blob).statusCode())
                        .isEqualTo(201);
                blobBytes.put(d, blob);
            }

            // A blob upload in flight at the kill: half of a 4 MiB chunk received.
            HttpResponse<String> started = send("POST", base + "/v2/crash/app/blobs/uploads/", null);
            assertThat(started.statusCode()).isEqualTo(202);
            String upload = URI.create(started.headers().firstValue("Location").orElseThrow()).getPath();
            partialUpload = data.resolve("docker/registry/v2/repositories/crash/app/_uploads")
                    .resolve(upload.substring(upload.lastIndexOf('/') + 1));
            Socket slow = new Socket("127.0.0.1", server.port);
            OutputStream out = slow.getOutputStream();
            byte[] chunk = new byte[4 << 20];
            out.write(("PATCH " + upload + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
                    + "\r\nContent-Length: " + chunk.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(chunk, 0, chunk.length / 2);
            out.flush();
            awaitSize(partialUpload.resolve("data"), 1 << 20); // some of it on the disk (the rest in buffers)

            // Pushes without pause: big manifests, each written to a temporary file, fsynced, renamed.
            AtomicBoolean pushing = new AtomicBoolean(true);
            AtomicInteger sequence = new AtomicInteger();
            ExecutorService pushers = Executors.newFixedThreadPool(3);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                running.add(pushers.submit(() -> {
                    while (pushing.get()) {
                        int n = sequence.incrementAndGet();
                        byte[] manifest = manifest(config, layer, n);
                        try {
                            HttpResponse<String> r = send("PUT", base + "/v2/crash/app/manifests/t" + n, manifest);
                            if (r.statusCode() == 201) {
                                complete.put("t" + n, Digest.sha256(manifest));
                            }
                        } catch (IOException killed) {
                            return null; // the server is gone
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (complete.size() < 3) { // some pushes complete before the kill, to be found intact after it
                assertThat(System.nanoTime()).as("manifests pushed:\n" + server.logText()).isLessThan(deadline);
                Thread.sleep(10); // between looks
            }
            killWithATemporaryFileOnDisk(server, blobs, Duration.ofMinutes(3));
            leftovers = temporaryFiles(data);
            pushing.set(false);
            pushers.shutdown();
            slow.close();
            for (Future<?> f : running) {
                f.get();
            }
        }
        assertThat(leftovers).as("temporary files the kill left").isNotEmpty()
                .allSatisfy(p -> assertThat(p).exists());
        assertThat(partialUpload).as("the blob upload the kill cut").exists();
        assertThat(complete).as("manifests pushed before the kill").isNotEmpty();

        // A new process with upload purging due at once removes them.
        Path purgeConfig = Files.writeString(dir.resolve("purge.yml"), config(data, true));
        try (ServerProcess server = ServerProcess.start(dir.resolve("purge.log"), Map.of(), "serve",
                purgeConfig.toString())) {
            server.awaitListening(Duration.ofSeconds(60));
            // A purge deletes only what was last written before its age: the process starts fast enough that its
            // first purge may come within that age of the kill and keep a leftover for the next one, so the runs'
            // counts are added up until they account for every leftover.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (purged(server.logText(), 2) < leftovers.size()) {
                assertThat(System.nanoTime()).as("upload purges ran:\n" + server.logText()).isLessThan(deadline);
                Thread.sleep(50); // between looks at the log
            }
            assertThat(purged(server.logText(), 1)).as("uploads deleted:\n" + server.logText()).isPositive();
            assertThat(purged(server.logText(), 2)).as("incomplete writes deleted:\n" + server.logText())
                    .isEqualTo(leftovers.size());
            assertThat(temporaryFiles(data)).as("temporary files after the purge").isEmpty();
            assertThat(partialUpload).doesNotExist();

            // Every complete blob and manifest is intact: served, with its digest, and so is every blob file.
            String base = "http://127.0.0.1:" + server.port;
            for (Map.Entry<Digest, byte[]> b : blobBytes.entrySet()) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/crash/app/blobs/"
                        + b.getKey())).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(b.getValue());
            }
            for (Map.Entry<String, Digest> m : complete.entrySet()) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/crash/app/manifests/"
                        + m.getKey())).header("Accept", OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).as("manifest %s", m.getKey()).isEqualTo(200);
                assertThat(Digest.sha256(r.body())).isEqualTo(m.getValue());
            }
            try (var files = Files.walk(blobs)) {
                for (Path f : files.filter(p -> p.getFileName().toString().equals("data")).toList()) {
                    Digest named = Digest.parse("sha256:" + f.getParent().getFileName());
                    assertThat(Digest.sha256(Files.readAllBytes(f))).as("bytes of %s", f).isEqualTo(named);
                }
            }
        }
    }

    /**
     * Waits until a temporary file shows under {@code blobs}, freezes the server, and kills it if the file is still
     * there; else lets it go on and waits for the next.
     */
    private void killWithATemporaryFileOnDisk(ServerProcess server, Path blobs, Duration timeout)
            throws Exception {
        long pid = server.process.pid();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int freezes = 1; ; freezes++) {
            assertThat(server.process.isAlive()).as("the server runs:\n" + server.logText()).isTrue();
            assertThat(System.nanoTime()).as("a temporary file seen and caught").isLessThan(deadline);
            if (temporaryFiles(blobs).isEmpty()) {
                freezes--;
                continue; // look again at once: the file lives for milliseconds
            }
            signal("STOP", pid);
            List<Path> caught = temporaryFiles(blobs);
            if (!caught.isEmpty()) {
                server.process.destroyForcibly(); // SIGKILL: the JVM runs no shutdown hook, closes nothing
                server.process.waitFor();
                System.out.printf("killed at freeze %d with %s on the disk%n", freezes, caught);
                return;
            }
            signal("CONT", pid);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal).isZero();
    }

    /** Every {@code .berth-tmp-*} file under {@code root}; folders that vanish meanwhile are skipped. */
    private static List<Path> temporaryFiles(Path root) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return found;
    }

    private static void awaitSize(Path file, long size) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(file) || Files.size(file) < size) {
            assertThat(System.nanoTime()).as(file + " holds " + size + " bytes").isLessThan(deadline);
            Thread.sleep(10); // between looks at the file
        }
    }

    /** A valid OCI manifest of about 3 MiB (a big annotation), different for each {@code n}. */
    private static byte[] manifest(byte[] config, byte[] layer, int n) {
        String pad = "x".repeat(3 << 20);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}],\"annotations\":{\"n\":\"" + n
                + "\",\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(String method, String url, byte[] body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (method.equals("PUT") && url.contains("/manifests/")) {
            b.header("Content-Type", OCI_MANIFEST);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * The sum, over every upload purge in {@code log}, of its count of deleted uploads ({@code group} 1) or of
     * deleted incomplete storage writes (2).
     */
    private static int purged(String log, int group) {
        Matcher m = PURGE_LINE.matcher(log);
        int sum = 0;
        while (m.find()) {
            sum += Integer.parseInt(m.group(group));
        }
        return sum;
    }

    private static String config(Path data, boolean purgeAtOnce) {
        return "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " + data + "\n"
                + "  maintenance:\n    uploadpurging:\n      enabled: " + purgeAtOnce + "\n"
                + (purgeAtOnce ? "      age: " + PURGE_AGE.toSeconds() + "s\n      interval: 1s\n" : "")
                + "http:\n  addr: 127.0.0.1:0\n";
    }
}
