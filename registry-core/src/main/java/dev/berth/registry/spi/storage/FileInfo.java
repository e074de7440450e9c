package dev.berth.registry.spi.storage;

import java.time.Instant;
import java.util.Objects;

/** What {@link StorageDriver#stat} knows of a path. Size is 0 for a directory; modTime may be {@link Instant#EPOCH} when unknown. */
public record FileInfo(String path, long size, Instant modTime, boolean isDirectory) {
    public FileInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(modTime, "modTime");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }

    public static FileInfo file(String path, long size, Instant modTime) {
        return new FileInfo(path, size, modTime, false);
    }

    public static FileInfo directory(String path, Instant modTime) {
        return new FileInfo(path, 0, modTime, true);
    }
}
