package dev.berth.registry.spi.storage;

import java.io.IOException;

/** A path that no driver may be handed: relative, with an empty, {@code .} or {@code ..} component, or bad characters. */
public class InvalidPathException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String path;

    public InvalidPathException(String path, String reason) {
        super("invalid storage path '" + path + "': " + reason);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
