package dev.berth.examples.storage;

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
        for (String key : parameters.keySet()) {
            if (!key.equals(MAX_OBJECT_SIZE)) {
                throw new IllegalArgumentException("map storage: unknown parameter '" + key + "' (known: "
                        + MAX_OBJECT_SIZE + ")");
            }
        }
        Object max = parameters.get(MAX_OBJECT_SIZE);
        if (max == null) {
            return new MapStorageDriver(Long.MAX_VALUE);
        }
        try {
            long bytes = max instanceof Number n ? n.longValue() : Long.parseLong(max.toString().trim());
            if (bytes <= 0) {
                throw new NumberFormatException("not positive");
            }
            return new MapStorageDriver(bytes);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("map storage: " + MAX_OBJECT_SIZE + " must be a positive number of "
                    + "bytes, not '" + max + "'", e);
        }
    }
}
