package dev.berth.registry.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.UploadPurgeReport;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.testkit.GarbageCollectionFixture;
import dev.berth.registry.testkit.StorageDriverFixture;
import dev.berth.registry.testkit.StorageDriverKit;
import dev.berth.registry.testkit.UploadPurgeFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole kit on the filesystem driver, in a real folder; the second replica is a second driver over the same
 * folder. Besides the kit's checks: nothing is left on the disk after a test of the driver's operations, only
 * distribution's files after any test, and what only a real disk shows.
 */
class FilesystemStorageDriverTest extends StorageDriverKit {
    @TempDir
    Path root;

    @Override
    protected StorageDriver createDriver() {
        return new FilesystemStorageDriverFactory().create(Map.of("rootdirectory", root.toString()));
    }

    @Override
    protected StorageDriver createSecondDriver(StorageDriver first) {
        return createDriver();
    }

    /** No temporary file and no emptied folder is left on the disk. */
    @Override
    protected void assertNothingLeftBehind() throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> !p.equals(root))).as("files and folders left in " + root).isEmpty();
        }
    }

    @AfterEach
    void noTemporaryFilesAreLeftBehind() throws IOException {
        // Besides distribution's files, the one file of Berth's own: the last garbage collection's summary.
        Path gcSummary = root.resolve("docker/registry/v2/_berth/gc/last.json");
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> !p.equals(gcSummary))
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("data") && !n.equals("link") && !n.equals("startedat")))
                    .as("only distribution's files are in the store").isEmpty();
        }
    }

    /**
     * What writers killed between writing a temporary file and renaming it leave in a blob's folder (the blob store,
     * where the sweep never looks): a temporary file last written {@code age} ago, and one written now.
     */
    private Path[] killedWrites(String hexPrefix, Duration age) throws IOException {
        Path blobDir = root.resolve("docker/registry/v2/blobs/sha256/" + hexPrefix + "/" + hexPrefix + "0".repeat(62));
        Files.createDirectories(blobDir);
        Path old = Files.writeString(blobDir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "old"), "half");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(age)));
        Path young = Files.writeString(blobDir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "young"), "half");
        return new Path[] {old, young};
    }

    /** The driver's operations on a real disk: paths, symbolic links, fsync failures, crash leftovers, health. */
    @Nested
    class OnDisk extends StorageDriverFixture {
        @Test
        void objectsAreFilesAtDistributionsPaths() throws Exception {
            Path file = root.resolve("docker/registry/v2/blobs/sha256/ab/abcdef/data");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "placed by registry:2");
            assertThat(driver().getContent("/docker/registry/v2/blobs/sha256/ab/abcdef/data"))
                    .isEqualTo("placed by registry:2".getBytes(StandardCharsets.UTF_8));
            driver().putContent("/docker/registry/v2/repositories/r/_layers/sha256/abcdef/link",
                    "sha256:abcdef".getBytes(StandardCharsets.US_ASCII));
            assertThat(root.resolve("docker/registry/v2/repositories/r/_layers/sha256/abcdef/link")).hasContent("sha256:abcdef");
            driver().delete("/docker");
        }

        @Test
        void theRawDriverStillRefusesPathsThatLeaveTheRoot() {
            for (String escape : new String[] {"/../outside", "/a/../../outside", "relative"}) {
                assertThatThrownBy(() -> rawDriver().putContent(escape, new byte[1])).as(escape)
                        .isInstanceOf(InvalidPathException.class);
                assertThatThrownBy(() -> rawDriver().getContent(escape)).as(escape).isInstanceOf(InvalidPathException.class);
                assertThatThrownBy(() -> rawDriver().delete(escape)).as(escape).isInstanceOf(InvalidPathException.class);
            }
            assertThat(root.getParent().resolve("outside")).doesNotExist();
        }

        /**
         * A failed background fsync cannot be provoked on a healthy disk, so it is injected: the commit of the file must
         * fail even though its own final fsync succeeds (Linux clears the error after reporting it once).
         */
        @Test
        void aFailedBackgroundWriteBackFailsTheCommit() throws Exception {
            FilesystemStorageDriver fs = (FilesystemStorageDriver) rawDriver();
            StorageWriter w = driver().writer(path("/upload"), false);
            w.write(new byte[10], 0, 10);
            fs.recordSyncFailure(root.resolve(root().substring(1)).resolve("upload"), new IOException("EIO"));
            assertThatThrownBy(w::commit).isInstanceOf(IOException.class).hasMessageContaining("write-back");

            StorageWriter again = driver().writer(path("/upload"), true);
            again.commit(); // reported once, like the kernel does; the caller has discarded or retried by now
        }

        @Test
        void symbolicLinksOutOfTheRootAreNotFollowed(@TempDir Path outside) throws Exception {
            Files.writeString(outside.resolve("secret"), "outside the store");
            Path dir = root.resolve(root().substring(1));
            Files.createDirectories(dir);
            Files.createSymbolicLink(dir.resolve("escape"), outside);
            Files.createSymbolicLink(dir.resolve("file-link"), outside.resolve("secret"));

            assertThatThrownBy(() -> driver().getContent(path("/escape/secret"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> driver().getContent(path("/file-link"))).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> driver().putContent(path("/escape/planted"), new byte[1]))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> driver().writer(path("/escape/upload"), false)).isInstanceOf(IOException.class);
            assertThat(outside.resolve("planted")).doesNotExist();
            assertThat(outside.resolve("upload")).doesNotExist();
            assertThat(outside.resolve("secret")).hasContent("outside the store");

            Files.createDirectories(dir.resolve("real"));
            Files.createSymbolicLink(dir.resolve("inside"), dir.resolve("real"));
            driver().putContent(path("/inside/ok"), new byte[] {7});
            assertThat(dir.resolve("real/ok")).exists();
            Files.delete(dir.resolve("escape"));
            Files.delete(dir.resolve("file-link"));
            Files.delete(dir.resolve("inside"));
        }

        @Test
        void anInterruptedPutLeavesOnlyAnInvisibleTemporaryFile() throws Exception {
            driver().putContent(path("/dir/kept"), "whole".getBytes(StandardCharsets.UTF_8));
            Path dir = root.resolve(root().substring(1)).resolve("dir");
            Path orphan = dir.resolve(FilesystemStorageDriver.TEMP_PREFIX + "crashed");
            Files.writeString(orphan, "half of a link that was never renamed");

            assertThat(driver().list(path("/dir"))).containsExactly(path("/dir/kept"));
            assertThatThrownBy(() -> driver().getContent(path("/dir/crashed"))).isInstanceOf(PathNotFoundException.class);
            List<String> walked = new ArrayList<>();
            driver().walk(path("/dir"), f -> walked.add(f.path()));
            assertThat(walked).containsExactly(path("/dir/kept"));
            Files.delete(orphan);
        }

        /**
         * A crash between writing a temporary file and renaming it cannot be timed in a unit test, so its result is laid
         * out on the disk (the kill -9 itself is {@code CrashLeftoversIT} in registry-server): old temporaries go, with
         * the folders they alone held; young ones (a write in progress) and every object stay.
         */
        @Test
        void purgingDeletesOldTemporaryFilesAndTheFoldersOnlyTheyHeld() throws Exception {
            driver().putContent(path("/dir/kept"), "whole".getBytes(StandardCharsets.UTF_8));
            Path base = root.resolve(root().substring(1));
            FileTime twoDaysAgo = FileTime.from(
                    Instant.now().minus(Duration.ofDays(2)));
            Path besideAnObject = Files.writeString(base.resolve("dir").resolve(FilesystemStorageDriver.TEMP_PREFIX
                    + "crashed"), "half a link");
            Path alone = base.resolve("blobs/sha256/ab/abcdef").resolve(FilesystemStorageDriver.TEMP_PREFIX + "x");
            Files.createDirectories(alone.getParent());
            Files.writeString(alone, "half a manifest");
            Path young = Files.writeString(base.resolve("dir").resolve(FilesystemStorageDriver.TEMP_PREFIX + "live"),
                    "being written");
            Files.setLastModifiedTime(besideAnObject, twoDaysAgo);
            Files.setLastModifiedTime(alone, twoDaysAgo);

            Instant cutoff = Instant.now().minus(Duration.ofDays(1));
            assertThat(driver().purgeIncompleteWrites(root(), cutoff)).isEqualTo(2);
            assertThat(besideAnObject).doesNotExist();
            assertThat(base.resolve("blobs")).as("folders that held only the leftover").doesNotExist();
            assertThat(young).as("a temporary file younger than the cutoff").exists();
            assertThat(driver().getContent(path("/dir/kept"))).isEqualTo("whole".getBytes(StandardCharsets.UTF_8));
            assertThat(driver().list(root())).containsExactly(path("/dir"));
            assertThat(driver().purgeIncompleteWrites(root(), cutoff)).as("nothing left to purge").isZero();
            Files.delete(young);
        }

        @Test
        void healthFailsWhenTheRootIsGoneOrNotADirectoryAndRecovers(@TempDir Path parent) throws Exception {
            Path store = parent.resolve("store");
            try (FilesystemStorageDriver fs = new FilesystemStorageDriver(store)) {
                fs.checkHealth(true);
                try (Stream<Path> left = Files.list(store)) {
                    assertThat(left).as("the write probe is deleted").isEmpty();
                }
                Files.delete(store);
                assertThatThrownBy(() -> fs.checkHealth(false)).isInstanceOf(IOException.class)
                        .hasMessageContaining("does not exist");
                Files.writeString(store, "a file where the folder was");
                assertThatThrownBy(() -> fs.checkHealth(false)).isInstanceOf(IOException.class)
                        .hasMessageContaining("not a directory");
                Files.delete(store);
                Files.createDirectory(store);
                fs.checkHealth(true);
            }
        }

        @Test
        void factoryChecksItsParameters() {
            assertThatThrownBy(() -> StorageDrivers.create("filesystem", Map.of("rootdir", "/x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rootdir")
                    .hasMessageContaining("rootdirectory");
            assertThatThrownBy(() -> StorageDrivers.create("filesystem", Map.of("rootdirectory", 42)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rootdirectory");
            assertThatThrownBy(() -> StorageDrivers.create("filesystem", Map.of("rootdirectory", " ")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
            StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString(), "maxthreads", 100));
            assertThat(StorageDrivers.names()).containsExactly("filesystem", "inmemory");
            assertThatThrownBy(() -> StorageDrivers.create("s4", Map.of()))
                    .hasMessageContaining("available: filesystem, inmemory");
        }
    }

    /** Garbage collection and what killed writes leave on the disk. */
    @Nested
    class CollectionOnDisk extends GarbageCollectionFixture {
        /**
         * The temporary file of a manifest whose writer was killed before the rename lies in the blob store, where the
         * sweep (which looks for {@code data}) never sees it: the collection releases it, by the grace period's rule.
         */
        @Test
        void releasesTemporaryFilesOfKilledWritesOlderThanTheGracePeriod() throws Exception {
            Path[] leftovers = killedWrites("ab", Duration.ofHours(3));
            Path old = leftovers[0];
            Path young = leftovers[1];

            GcReport dry = registry.collectGarbage(GcOptions.DEFAULTS.withDryRun(true));
            assertThat(dry.incompleteWrites()).isZero();
            assertThat(old).as("a dry run deletes nothing").exists();

            GcReport report = registry.collectGarbage(GcOptions.DEFAULTS.withGracePeriod(Duration.ofHours(1)));
            assertThat(report.incompleteWrites()).isEqualTo(1);
            assertThat(report.summary()).contains("released 1 leftovers of unfinished writes");
            assertThat(old).doesNotExist();
            assertThat(young).as("younger than the grace period: perhaps a write in progress").exists();
            Files.delete(young);
        }
    }

    /** Upload purging and what killed writes leave on the disk. */
    @Nested
    class PurgeOnDisk extends UploadPurgeFixture {
        /** Upload purging also releases what killed whole-object writes left, by its age rule (see the driver's test). */
        @Test
        void purgingAlsoDeletesOldTemporaryFilesOfKilledWrites() throws Exception {
            Path[] leftovers = killedWrites("cd", AGE.plus(Duration.ofDays(1)));
            Path old = leftovers[0];
            Path young = leftovers[1];

            UploadPurgeReport dry = registry.purgeUploads(AGE, true);
            assertThat(dry.incompleteWritesAborted()).isZero();
            assertThat(old).as("a dry run deletes nothing").exists();

            UploadPurgeReport report = registry.purgeUploads(AGE, false);
            assertThat(report.incompleteWritesAborted()).isEqualTo(1);
            assertThat(old).doesNotExist();
            assertThat(young).exists();
            Files.delete(young);
        }
    }
}
