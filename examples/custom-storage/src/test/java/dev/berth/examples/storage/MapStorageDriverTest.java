package dev.berth.examples.storage;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.StorageDriverContract;

/** The driver's own operations, checked by the same kit as Berth's drivers. */
class MapStorageDriverTest extends StorageDriverContract {
    @Override
    protected StorageDriver createDriver() {
        return new MapStorageDriver(Long.MAX_VALUE);
    }
}
