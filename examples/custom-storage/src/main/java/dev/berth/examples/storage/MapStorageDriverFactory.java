package dev.berth.examples.storage;

import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.util.Map;

/**
 * Makes {@link MapStorageDriver}s for {@code Registry.builder().storage("map", Map.of(...))}; listed in
 * {@code META-INF/services/dev.berth.registry.spi.storage.StorageDriverFactory}.
 *
 * <p>One parameter, {@code maxobjectsize}: the largest object in bytes (a number or a string of digits; default
 * unlimited). Any other parameter is an error, so a typo is never silently ignored.
 */
public final class MapStorageDriverFactory implements StorageDriverFactory {
    public static final String MAX_OBJECT_SIZE = "maxobjectsize";

    @Override
    public String name() {
        return MapStorageDriver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, ?> parameters) {
        // Parameters names the plugin and the key in every error, and refuses keys it was not told about.
        Parameters p = Parameters.of("storage." + MapStorageDriver.NAME, parameters).rejectUnknown(MAX_OBJECT_SIZE);
        return new MapStorageDriver(p.whole(MAX_OBJECT_SIZE, Long.MAX_VALUE, 1, Long.MAX_VALUE));
    }
}
