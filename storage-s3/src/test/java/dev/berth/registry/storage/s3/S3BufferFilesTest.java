package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An S3 writer gathers a part in a temporary file, which must not outlive the writer however it ends: committed,
 * cancelled, closed, failed half-way because S3 went away, or abandoned without being ended (a bug, or the process
 * killed). The file is opened with {@code DELETE_ON_CLOSE}, so on Linux it has no name from the start, and its
 * space goes when the writer ends.
 */
class S3BufferFilesTest {
    private static final String BUCKET = S3ProxyServer.newBucket();
    private static final int MIB = 1 << 20;

    private static StorageDriver driver(String secretKey) {
        Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
        if (secretKey != null) {
            p.put("secretkey", secretKey);
        }
        return CheckedStorageDriver.wrap(new S3StorageDriver(S3Config.parse(p)));
    }

    @Test
    void noWriterLeavesABufferFileWhetherEndedAbandonedOrFailedHalfWay() throws Exception {
        Set<String> before = BufferFiles.named();
        int openBefore = BufferFiles.open();
        byte[] part = new byte[5 * MIB + 7];
        try (StorageDriver healthy = driver(null); StorageDriver refused = driver("not-the-secret")) {
            // Abandoned: written to (a whole part went to S3, the rest waits in the buffer), never ended.
            StorageWriter abandoned = healthy.writer("/abandoned", false);
            abandoned.write(part, 0, part.length);
            assertThat(BufferFiles.named()).as("an open writer's buffer file has no name").isEqualTo(before);

            // Ended normally, each way.
            try (StorageWriter w = healthy.writer("/committed", false)) {
                w.write(part, 0, 100);
                w.commit();
            }
            try (StorageWriter w = healthy.writer("/closed", false)) {
                w.write(part, 0, 100);
            }
            try (StorageWriter w = healthy.writer("/closed", true)) {
                w.write(part, 0, 100);
                w.cancel();
            }

            // Failed half-way: S3 refuses the first whole part, then the close. (A refusal rather than a server that
            // is gone: the driver retries I/O errors for many seconds, and the writer's failure path is the same.)
            StorageWriter failing = refused.writer("/failing", false);
            assertThatThrownBy(() -> failing.write(part, 0, part.length)).isInstanceOf(IOException.class);
            assertThatThrownBy(failing::close).isInstanceOf(IOException.class);
            // A commit that cannot reach S3, and a resume that cannot find out what to resume.
            StorageWriter committing = refused.writer("/committing", false);
            committing.write(part, 0, 10);
            assertThatThrownBy(committing::commit).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> refused.writer("/resumed", true)).isInstanceOf(IOException.class);

            assertThat(BufferFiles.named()).as("buffer files in " + System.getProperty("java.io.tmpdir"))
                    .isEqualTo(before);
            if (openBefore >= 0) {
                assertThat(BufferFiles.open()).as("buffer files this process holds: only the abandoned writer's")
                        .isEqualTo(openBefore + 1);
            }
            healthy.delete("/committed");
            healthy.delete("/abandoned"); // aborts the abandoned writer's multipart upload
        }
        assertThat(S3ProxyServer.admin().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
        assertThat(S3ProxyServer.admin().listObjectsV2(b -> b.bucket(BUCKET)).contents()).isEmpty();
        assertThat(BufferFiles.named()).isEqualTo(before);
    }
}
