package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverException;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageDriversTest {

    @Test
    void findsTheInMemoryDriverByName() throws IOException {
        assertThat(StorageDrivers.names()).contains("inmemory");
        StorageDriver d = StorageDrivers.create("inmemory", Map.of());
        d.putContent("/a", new byte[] {1});
        assertThat(d.getContent("/a")).containsExactly(1);
    }

    @Test
    void unknownDriverNameListsTheAvailableOnes() {
        assertThatThrownBy(() -> StorageDrivers.create("gcs", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no storage driver named 'gcs'")
                .hasMessageContaining("inmemory");
    }

    @Test
    void parametersTheDriverDoesNotKnowAreRejected() {
        assertThatThrownBy(() -> StorageDrivers.create("inmemory", Map.of("rootdirectory", "/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rootdirectory");
    }

    /** A second factory named like the first, found through another services file. */
    public static final class DuplicateInMemoryFactory implements StorageDriverFactory {
        @Override
        public String name() {
            return "inmemory";
        }

        @Override
        public StorageDriver create(Map<String, ?> parameters) {
            return new InMemoryStorageDriver();
        }
    }

    @Test
    void twoDriversOfOneNameAreAnError(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(StorageDriverFactory.class.getName()),
                DuplicateInMemoryFactory.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> StorageDrivers.available(loader))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("two storage drivers are named 'inmemory'")
                    .hasMessageContaining(DuplicateInMemoryFactory.class.getName());
        }
    }

    @Test
    void wrapperValidatesPathsBeforeTheDriverSeesThem() throws IOException {
        InMemoryStorageDriver raw = new InMemoryStorageDriver();
        StorageDriver d = CheckedStorageDriver.wrap(raw);
        for (String bad : new String[] {"../etc/passwd", "/a/../../etc", "/a//b", "/a b"}) {
            assertThatThrownBy(() -> d.putContent(bad, new byte[1])).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> d.getContent(bad)).isInstanceOf(InvalidPathException.class);
        }
        assertThatThrownBy(() -> d.delete("/")).isInstanceOf(InvalidPathException.class);
        assertThat(raw.list("/")).isEmpty();
    }

    @Test
    void wrapperNamesTheDriverInErrors() {
        StorageDriver d = CheckedStorageDriver.wrap(new BrokenDriver());
        assertThatThrownBy(() -> d.getContent("/missing")).isInstanceOf(PathNotFoundException.class)
                .hasMessageContaining("broken");
        assertThatThrownBy(() -> d.putContent("/x", new byte[1])).isInstanceOf(StorageDriverException.class)
                .hasMessageContaining("broken").hasMessageContaining("disk on fire");
    }

    /** A driver whose writes fail and whose objects are all missing: a fault that cannot be provoked for real here. */
    private static final class BrokenDriver implements StorageDriver {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public byte[] getContent(String path) throws IOException {
            throw new PathNotFoundException(path);
        }

        @Override
        public void putContent(String path, byte[] content) throws IOException {
            throw new IOException("disk on fire");
        }

        @Override
        public InputStream reader(String path, long offset) throws IOException {
            throw new PathNotFoundException(path);
        }

        @Override
        public StorageWriter writer(String path, boolean append) throws IOException {
            throw new IOException("disk on fire");
        }

        @Override
        public FileInfo stat(String path) throws IOException {
            throw new PathNotFoundException(path);
        }

        @Override
        public List<String> list(String path) throws IOException {
            throw new PathNotFoundException(path);
        }

        @Override
        public void move(String sourcePath, String destPath) throws IOException {
            throw new IOException("disk on fire");
        }

        @Override
        public void delete(String path) throws IOException {
            throw new IOException("disk on fire");
        }
    }
}
