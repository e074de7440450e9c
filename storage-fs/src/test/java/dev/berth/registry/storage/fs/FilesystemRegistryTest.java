package dev.berth.registry.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.RegistryContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The whole registry over the filesystem driver; the second replica is a second driver over the same folder. */
class FilesystemRegistryTest extends RegistryContract {
    @TempDir
    Path root;

    @Override
    protected StorageDriver createDriver() {
        return StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString()));
    }

    @Override
    protected StorageDriver createSecondDriver(StorageDriver first) {
        return createDriver();
    }

    @AfterEach
    void noTemporaryFilesAreLeftBehind() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("data") && !n.equals("link") && !n.equals("startedat")))
                    .as("only distribution's files are in the store").isEmpty();
        }
    }
}
