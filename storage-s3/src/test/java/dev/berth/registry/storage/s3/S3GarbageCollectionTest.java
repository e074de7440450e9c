package dev.berth.registry.storage.s3;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.GarbageCollectionContract;
import java.util.Map;
import java.util.UUID;

/** Garbage collection over the s3 driver, against S3Proxy; each test gets an empty root of its own in one bucket. */
class S3GarbageCollectionTest extends GarbageCollectionContract {
    private static final String BUCKET = S3ProxyServer.newBucket();

    @Override
    protected StorageDriver createDriver() {
        Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
        p.put("rootdirectory", "gc-" + UUID.randomUUID());
        return StorageDrivers.create("s3", p);
    }
}
