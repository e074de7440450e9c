package dev.berth.registry.cache.inmemory;

import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.BlobDescriptorCacheFactory;
import java.time.Duration;
import java.util.Map;

/**
 * {@code inmemory}: parameters {@code size} (most entries, at least 1, default 10000; distribution's
 * {@code storage.cache.blobdescriptorsize}) and {@code ttl} (longer than zero, default 5 minutes; a duration as
 * {@link Parameters} reads one: {@code 90s}, {@code 5m}, a number of seconds, or ISO-8601 like {@code PT5M}).
 */
public final class InMemoryBlobDescriptorCacheFactory implements BlobDescriptorCacheFactory {
    public static final long DEFAULT_SIZE = 10_000;
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public BlobDescriptorCache create(Map<String, ?> parameters) {
        Parameters p = Parameters.of("cache.inmemory", parameters).rejectUnknown("size", "ttl");
        long size = p.whole("size", DEFAULT_SIZE, 1, Long.MAX_VALUE);
        Duration ttl = p.duration("ttl", DEFAULT_TTL);
        if (ttl.isZero()) {
            throw p.invalid("ttl", "must be longer than zero");
        }
        return new InMemoryBlobDescriptorCache(size, ttl);
    }
}
