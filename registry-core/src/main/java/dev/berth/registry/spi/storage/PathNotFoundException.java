package dev.berth.registry.spi.storage;

import java.nio.file.NoSuchFileException;

/** Nothing is stored at the path. Absence is normal in a registry, so callers catch this one precisely. */
public class PathNotFoundException extends NoSuchFileException {
    private static final long serialVersionUID = 1L;

    public PathNotFoundException(String path) {
        super(path);
    }

    public PathNotFoundException(String path, String reason) {
        super(path, null, reason);
    }

    public String path() {
        return getFile();
    }
}
