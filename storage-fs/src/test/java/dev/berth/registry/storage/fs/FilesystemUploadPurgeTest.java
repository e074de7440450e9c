package dev.berth.registry.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.UploadPurgeReport;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.UploadPurgeContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload purging over the filesystem driver, in a real folder. */
class FilesystemUploadPurgeTest extends UploadPurgeContract {
    @TempDir
    Path root;

    @Override
    protected StorageDriver createDriver() {
        return StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString()));
    }

    /** Upload purging also releases what killed whole-object writes left, by its age rule (see the driver's test). */
    @Test
    void purgingAlsoDeletesOldTemporaryFilesOfKilledWrites() throws Exception {
        Path blobDir = root.resolve("docker/registry/v2/blobs/sha256/cd/cd" + "0".repeat(62));
        Files.createDirectories(blobDir);
        Path old = Files.writeString(blobDir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "old"), "half");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(AGE).minus(Duration.ofDays(1))));
        Path young = Files.writeString(blobDir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "young"), "half");

        UploadPurgeReport dry = registry.purgeUploads(AGE, true);
        assertThat(dry.incompleteWritesAborted()).isZero();
        assertThat(old).as("a dry run deletes nothing").exists();

        UploadPurgeReport report = registry.purgeUploads(AGE, false);
        assertThat(report.incompleteWritesAborted()).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(young).exists();
    }
}
