package dev.berth.registry.storage.fs;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code storage: filesystem: {rootdirectory: /var/lib/registry}} — distribution's parameters: {@code rootdirectory}
 * (default {@value #DEFAULT_ROOT}) and {@code maxthreads} (accepted and ignored: the JVM needs no such limit).
 */
public final class FilesystemStorageDriverFactory implements StorageDriverFactory {
    public static final String DEFAULT_ROOT = "/var/lib/registry";
    private static final Set<String> KNOWN = Set.of("rootdirectory", "maxthreads");

    @Override
    public String name() {
        return FilesystemStorageDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, ?> parameters) {
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("storage driver 'filesystem' does not know parameter(s) "
                    + String.join(", ", unknown) + "; it accepts: rootdirectory, maxthreads");
        }
        Object root = parameters.get("rootdirectory");
        if (root != null && !(root instanceof String || root instanceof Path)) {
            throw new IllegalArgumentException("storage driver 'filesystem': rootdirectory must be a path, got "
                    + root.getClass().getSimpleName());
        }
        String dir = root == null ? DEFAULT_ROOT : root.toString();
        if (dir.isBlank()) {
            throw new IllegalArgumentException("storage driver 'filesystem': rootdirectory is empty");
        }
        try {
            return new FilesystemStorageDriver(Path.of(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("storage driver 'filesystem': cannot use rootdirectory " + dir + ": " + e, e);
        }
    }
}
