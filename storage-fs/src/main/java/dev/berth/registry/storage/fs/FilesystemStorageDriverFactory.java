package dev.berth.registry.storage.fs;

import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code storage: filesystem: {rootdirectory: /var/lib/registry}} — distribution's parameters: {@code rootdirectory}
 * (default {@value #DEFAULT_ROOT}) and {@code maxthreads} (accepted and ignored: the JVM needs no such limit).
 */
public final class FilesystemStorageDriverFactory implements StorageDriverFactory {
    public static final String DEFAULT_ROOT = "/var/lib/registry";

    @Override
    public String name() {
        return FilesystemStorageDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, ?> parameters) {
        Parameters p = Parameters.of("storage." + FilesystemStorageDriver.NAME, parameters)
                .rejectUnknown("rootdirectory", "maxthreads");
        Path root = p.path("rootdirectory").orElse(Path.of(DEFAULT_ROOT));
        try {
            return new FilesystemStorageDriver(root);
        } catch (IOException e) {
            throw new UncheckedIOException("storage driver 'filesystem': cannot use rootdirectory " + root + ": " + e, e);
        }
    }
}
