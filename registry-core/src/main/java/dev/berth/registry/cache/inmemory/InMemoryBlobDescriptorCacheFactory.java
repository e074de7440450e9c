package dev.berth.registry.cache.inmemory;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.BlobDescriptorCacheFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code inmemory}: parameters {@code size} (most entries, default 10000; distribution's
 * {@code storage.cache.blobdescriptorsize}) and {@code ttl} (seconds, or a Duration text like {@code PT5M}; default
 * 5 minutes).
 */
public final class InMemoryBlobDescriptorCacheFactory implements BlobDescriptorCacheFactory {
    public static final long DEFAULT_SIZE = 10_000;
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    private static final Set<String> KNOWN = Set.of("size", "ttl");

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public BlobDescriptorCache create(Map<String, ?> parameters) {
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("inmemory cache: unknown parameter(s) " + String.join(", ", unknown)
                    + "; known: size, ttl");
        }
        long size = DEFAULT_SIZE;
        Object s = parameters.get("size");
        if (s != null) {
            try {
                size = Long.parseLong(s.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("inmemory cache: size must be a whole number, not '" + s + "'");
            }
        }
        Duration ttl = DEFAULT_TTL;
        Object t = parameters.get("ttl");
        if (t instanceof Duration d) {
            ttl = d;
        } else if (t != null) {
            String text = t.toString().trim();
            try {
                ttl = text.startsWith("P") || text.startsWith("p") ? Duration.parse(text)
                        : Duration.ofSeconds(Long.parseLong(text));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("inmemory cache: ttl must be seconds or an ISO-8601 duration, not '"
                        + t + "'");
            }
        }
        try {
            return new InMemoryBlobDescriptorCache(size, ttl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inmemory cache: " + Failures.describe(e), e);
        }
    }
}
