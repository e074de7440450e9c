package dev.berth.benchmarks;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import dev.berth.registry.testkit.GeneratedStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Blob write throughput through the store on the filesystem driver (upload + durable commit with digest
 * verification), next to raw JDK SHA-256 and a raw durable file write over the same bytes, in the same run.
 *
 * <p>Arguments: size in bytes (default 1 GiB), rounds (default 3), store folder. Run it with a small heap
 * ({@code -Xmx64m}, as the Maven profile does) to show that nothing holds a blob in memory.
 */
public final class BlobWriteBenchmark {
    private static final int SOURCE_BUFFER = 8 << 20;

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Path.of(args.length > 2 ? args[2] : "target/bench-store").toAbsolutePath();
        Files.createDirectories(dir);

        byte[] pattern = new byte[SOURCE_BUFFER];
        new Random(42).nextBytes(pattern);
        Digest digest = sha256(new GeneratedStream(pattern, size));
        System.out.printf(Locale.ROOT, "Blob write benchmark: %d MiB, %d rounds, heap max %d MiB, store %s%n",
                size >> 20, rounds, Runtime.getRuntime().maxMemory() >> 20, dir);

        List<double[]> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            double sha = mbps(size, () -> sha256(new GeneratedStream(pattern, size)));
            double raw = mbps(size, () -> rawDurableWrite(new GeneratedStream(pattern, size), dir.resolve("raw.bin")));
            double mono = mbps(size, () -> storeWrite(dir, new GeneratedStream(pattern, size), digest, 1));
            double chunked = mbps(size, () -> storeWrite(dir, new GeneratedStream(pattern, size), digest, 64));
            results.add(new double[] {sha, raw, mono, chunked});
            System.out.printf(Locale.ROOT,
                    "round %d: raw SHA-256 %7.0f MB/s | raw write+fsync %7.0f MB/s | store, one request %7.0f MB/s"
                            + " (%3.0f%% of SHA-256) | store, 64 chunks %7.0f MB/s (%3.0f%%)%n",
                    r, sha, raw, mono, 100 * mono / sha, chunked, 100 * chunked / sha);
        }
        double[] best = new double[4];
        for (double[] res : results) {
            for (int i = 0; i < 4; i++) {
                best[i] = Math.max(best[i], res[i]);
            }
        }
        System.out.printf(Locale.ROOT, "best: raw SHA-256 %.0f MB/s, raw write+fsync %.0f MB/s, store one request %.0f"
                        + " MB/s (%.0f%% of SHA-256, %.0f%% of the slower of the two), store 64 chunks %.0f MB/s (%.0f%%)%n",
                best[0], best[1], best[2], 100 * best[2] / best[0], 100 * best[2] / Math.min(best[0], best[1]),
                best[3], 100 * best[3] / best[0]);
        deleteTree(dir);
    }

    /** Uploads through the store and commits (durably, with verification), in {@code chunks} requests. */
    private static void storeWrite(Path dir, InputStream source, Digest digest, int chunks) throws IOException {
        Path root = dir.resolve("store");
        deleteTree(root);
        try (Registry registry = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", root.toString())).build()) {
            Repository repo = registry.repository("bench/blob");
            Descriptor d;
            if (chunks == 1) {
                d = repo.uploads().put(digest, source);
            } else {
                Uploads.UploadStatus up = repo.uploads().start();
                long total = ((GeneratedStream) source).size();
                long chunk = (total + chunks - 1) / chunks;
                for (long offset = 0; offset < total; offset += chunk) {
                    repo.uploads().append(up.id(), offset, ((GeneratedStream) source).next(Math.min(chunk, total - offset)));
                }
                d = repo.uploads().commit(up.id(), digest, null);
            }
            if (!d.digest().equals(digest)) {
                throw new IllegalStateException("wrong digest " + d.digest());
            }
        }
    }

    private static Digest sha256(InputStream in) throws IOException {
        MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return Digest.fromBytes(Digest.Algorithm.SHA256, md.digest());
    }

    private static void rawDurableWrite(InputStream in, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            }
            ch.force(false);
        }
        Files.delete(file);
    }

    private static double mbps(long bytes, IoRunnable action) throws IOException {
        long start = System.nanoTime();
        action.run();
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @FunctionalInterface
    private interface IoRunnable {
        void run() throws IOException;
    }
}
