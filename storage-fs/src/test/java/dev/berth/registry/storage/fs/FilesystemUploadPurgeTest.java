package dev.berth.registry.storage.fs;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.UploadPurgeContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** Upload purging over the filesystem driver, in a real folder. */
class FilesystemUploadPurgeTest extends UploadPurgeContract {
    @TempDir
    Path root;

    @Override
    protected StorageDriver createDriver() {
        return StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString()));
    }
}
