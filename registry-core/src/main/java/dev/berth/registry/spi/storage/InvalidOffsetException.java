package dev.berth.registry.spi.storage;

import java.io.IOException;

/** A read asked for an offset past the end of the object (or a negative one). */
public class InvalidOffsetException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final long offset;

    public InvalidOffsetException(String path, long offset) {
        super("invalid offset " + offset + " for " + path);
        this.path = path;
        this.offset = offset;
    }

    public String path() {
        return path;
    }

    public long offset() {
        return offset;
    }
}
