package dev.berth.registry.spi.storage;

import java.io.IOException;

/** A driver failed for a reason of its own (I/O error, storage unreachable); the message names the driver. */
public class StorageDriverException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String driverName;

    public StorageDriverException(String driverName, String message, Throwable cause) {
        super(driverName + ": " + message, cause);
        this.driverName = driverName;
    }

    public String driverName() {
        return driverName;
    }
}
