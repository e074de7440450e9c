package dev.berth.registry.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.GarbageCollectionContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage collection over the filesystem driver. */
class FilesystemGarbageCollectionTest extends GarbageCollectionContract {
    @TempDir
    Path root;

    @Override
    protected StorageDriver createDriver() {
        return StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString()));
    }

    /**
     * The temporary file of a manifest whose writer was killed before the rename lies in the blob store, where the
     * sweep (which looks for {@code data}) never sees it: the collection releases it, by the grace period's rule.
     */
    @Test
    void releasesTemporaryFilesOfKilledWritesOlderThanTheGracePeriod() throws Exception {
        Path blobDir = root.resolve("docker/registry/v2/blobs/sha256/ab/ab" + "0".repeat(62));
        Files.createDirectories(blobDir);
        Path old = Files.writeString(blobDir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "old"), "half");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(3))));
        Path young = Files.writeString(blobDir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "young"), "half");

        GcReport dry = registry.collectGarbage(GcOptions.DEFAULTS.withDryRun(true));
        assertThat(dry.incompleteWrites()).isZero();
        assertThat(old).as("a dry run deletes nothing").exists();

        GcReport report = registry.collectGarbage(GcOptions.DEFAULTS.withGracePeriod(Duration.ofHours(1)));
        assertThat(report.incompleteWrites()).isEqualTo(1);
        assertThat(report.summary()).contains("released 1 leftovers of unfinished writes");
        assertThat(old).doesNotExist();
        assertThat(young).as("younger than the grace period: perhaps a write in progress").exists();
    }
}
