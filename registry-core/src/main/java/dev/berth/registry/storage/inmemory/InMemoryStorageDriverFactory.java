package dev.berth.registry.storage.inmemory;

import dev.berth.registry.spi.Parameters;
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
        Parameters.of("storage." + InMemoryStorageDriver.NAME, parameters).rejectUnknown();
        return new InMemoryStorageDriver();
    }
}
