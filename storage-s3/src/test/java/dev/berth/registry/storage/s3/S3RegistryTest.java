package dev.berth.registry.storage.s3;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.RegistryContract;
import java.util.Map;
import java.util.UUID;

/**
 * The whole registry over the s3 driver. Each test gets an empty root directory of its own in one bucket; the second
 * replica is a second driver (its own client and connections) over the same root.
 */
class S3RegistryTest extends RegistryContract {
    private static final String BUCKET = S3ProxyServer.newBucket();
    private String root;

    @Override
    protected StorageDriver createDriver() {
        root = "registry-" + UUID.randomUUID();
        return driver(root);
    }

    @Override
    protected StorageDriver createSecondDriver(StorageDriver first) {
        return driver(root);
    }

    private static StorageDriver driver(String root) {
        Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
        p.put("rootdirectory", root);
        return StorageDrivers.create("s3", p);
    }
}
