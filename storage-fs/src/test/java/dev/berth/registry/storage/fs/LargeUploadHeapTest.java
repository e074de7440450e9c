package dev.berth.registry.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import dev.berth.registry.testkit.GeneratedStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB blob goes through the store, in 16 chunks and one commit, in a JVM whose heap is 64 MiB: nothing may
 * hold a blob (or a chunk) in memory. Runs in a child JVM so that the heap limit is real.
 */
class LargeUploadHeapTest {
    static final long SIZE = 1L << 30;
    static final int CHUNKS = 16;

    @TempDir
    Path root;

    @Test
    void oneGibibyteUploadPassesWithA64MebibyteHeap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                LargeUpload.class.getName(), root.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();

        String digest = output.lines().filter(l -> l.startsWith("committed ")).findFirst().orElseThrow()
                .substring("committed ".length()).trim();
        Digest d = Digest.parse(digest);
        Path data = root.resolve("docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex() + "/data");
        assertThat(Files.size(data)).isEqualTo(SIZE);
        assertThat(root.resolve("docker/registry/v2/repositories/big/blob/_uploads")).as("upload cleaned up")
                .doesNotExist();
    }

    /** The child JVM's work. */
    public static final class LargeUpload {
        public static void main(String[] args) throws IOException {
            byte[] pattern = new byte[4 << 20];
            new Random(7).nextBytes(pattern);
            MessageDigest md = Digest.Algorithm.SHA256.newMessageDigest();
            try (InputStream in = new GeneratedStream(pattern, SIZE)) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            Digest digest = Digest.fromBytes(Digest.Algorithm.SHA256, md.digest());

            try (Registry registry = Registry.builder()
                    .storage("filesystem", Map.of("rootdirectory", args[0])).build()) {
                Repository repo = registry.repository("big/blob");
                Uploads.UploadStatus up = repo.uploads().start();
                long chunk = SIZE / CHUNKS;
                GeneratedStream source = new GeneratedStream(pattern, SIZE);
                for (int i = 0; i < CHUNKS; i++) {
                    repo.uploads().append(up.id(), i * chunk, source.next(chunk));
                }
                Descriptor d = repo.uploads().commit(up.id(), digest, null);
                System.out.println("committed " + d.digest());
                System.out.println("heap max " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, used "
                        + ((Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20) + " MiB");
            }
        }
    }
}
