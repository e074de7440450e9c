package dev.berth.cache.redis;

import dev.berth.registry.Registry;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import dev.berth.registry.testkit.RegistryContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;

/**
 * The whole-registry kit with a Redis cache; the registries a test opens share one Redis (as replicas would), each
 * with its own pool. Redis is flushed before each test: every test starts from empty storage, and a cache must not
 * outlive the storage it describes.
 */
class RedisCachedRegistryTest extends RegistryContract {
    private static RedisProcess redis;
    private RedisBlobDescriptorCache cache;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = new RedisProcess(null);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected StorageDriver createDriver() {
        try (Jedis j = new Jedis("127.0.0.1", redis.port)) {
            j.flushDB();
        }
        return new InMemoryStorageDriver();
    }

    @Override
    protected Registry.Builder configure(Registry.Builder builder) {
        if (cache == null) {
            cache = new RedisBlobDescriptorCache(redis.config().withTombstone(Duration.ofMillis(500)));
        }
        return builder.cache(cache);
    }

    @AfterEach
    void closeCache() {
        if (cache != null) {
            cache.close();
        }
    }
}
