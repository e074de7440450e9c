package dev.berth.registry.spi.storage;

import java.util.Map;

/**
 * Builds a storage driver from configuration. Found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.berth.registry.spi.storage.StorageDriverFactory}.
 */
public interface StorageDriverFactory {

    /** The short name a configuration selects the driver by; unique among the factories on the class path. */
    String name();

    /**
     * A driver for these parameters (the YAML section under the driver's name, as distribution's config has it).
     * Unknown or invalid parameters are an {@link IllegalArgumentException} that names the parameter.
     */
    StorageDriver create(Map<String, ?> parameters);
}
