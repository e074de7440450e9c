package dev.berth.registry.spi.cache;

import java.util.Map;

/**
 * Builds a cache from configuration. Found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.berth.registry.spi.cache.BlobDescriptorCacheFactory}.
 */
public interface BlobDescriptorCacheFactory {

    /** The short name a configuration selects the cache by ({@code inmemory}, {@code redis}); unique on the class path. */
    String name();

    /**
     * A cache for these parameters. Unknown or invalid parameters are an {@link IllegalArgumentException} that names
     * the parameter. Building should not need the backend to be up: a cache that cannot connect yet serves misses.
     */
    BlobDescriptorCache create(Map<String, ?> parameters);
}
