package dev.berth.cache.redis;

import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.BlobDescriptorCacheFactory;
import java.util.Map;

/** {@code redis}: parameters are distribution's {@code redis} section (see {@link RedisCacheConfig}). */
public final class RedisBlobDescriptorCacheFactory implements BlobDescriptorCacheFactory {
    @Override
    public String name() {
        return "redis";
    }

    @Override
    public BlobDescriptorCache create(Map<String, ?> parameters) {
        return new RedisBlobDescriptorCache(RedisCacheConfig.parse(parameters));
    }
}
