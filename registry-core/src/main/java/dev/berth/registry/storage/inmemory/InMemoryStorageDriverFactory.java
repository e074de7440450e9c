package dev.berth.registry.storage.inmemory;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.util.Map;

/** {@code storage: inmemory: {}} — takes no parameters. */
public final class InMemoryStorageDriverFactory implements StorageDriverFactory {
    @Override
    public String name() {
        return InMemoryStorageDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, ?> parameters) {
        if (parameters != null && !parameters.isEmpty()) {
            throw new IllegalArgumentException("storage driver 'inmemory' takes no parameters, got: "
                    + String.join(", ", new java.util.TreeSet<>(parameters.keySet())));
        }
        return new InMemoryStorageDriver();
    }
}
