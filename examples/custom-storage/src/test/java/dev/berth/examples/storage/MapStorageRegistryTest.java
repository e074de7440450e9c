package dev.berth.examples.storage;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.RegistryContract;

/** A whole registry (uploads, manifests, tags, referrers, catalog, distribution's layout) over the driver. */
class MapStorageRegistryTest extends RegistryContract {
    @Override
    protected StorageDriver createDriver() {
        return new MapStorageDriver(Long.MAX_VALUE);
    }
}
