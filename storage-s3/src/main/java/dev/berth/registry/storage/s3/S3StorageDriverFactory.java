package dev.berth.registry.storage.s3;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.util.Map;

/**
 * {@code storage: s3: {bucket: ..., region: ..., regionendpoint: ..., ...}} — distribution's parameters, see
 * {@link S3Config}.
 */
public final class S3StorageDriverFactory implements StorageDriverFactory {

    @Override
    public String name() {
        return S3StorageDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, ?> parameters) {
        return new S3StorageDriver(S3Config.parse(parameters));
    }
}
