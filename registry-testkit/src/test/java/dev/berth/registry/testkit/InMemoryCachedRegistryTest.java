package dev.berth.registry.testkit;

import dev.berth.registry.Registry;
import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCache;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.time.Duration;

/** The whole-registry kit with an in-memory cache shared by every registry a test opens (as one JVM would). */
class InMemoryCachedRegistryTest extends RegistryContract {
    private final InMemoryBlobDescriptorCache cache = new InMemoryBlobDescriptorCache(10_000, Duration.ofMinutes(5));

    @Override
    protected StorageDriver createDriver() {
        return new InMemoryStorageDriver();
    }

    @Override
    protected Registry.Builder configure(Registry.Builder builder) {
        return builder.cache(cache);
    }
}
