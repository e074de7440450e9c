package dev.berth.registry.testkit;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;

class InMemoryUploadPurgeTest extends UploadPurgeContract {
    @Override
    protected StorageDriver createDriver() {
        return new InMemoryStorageDriver();
    }
}
