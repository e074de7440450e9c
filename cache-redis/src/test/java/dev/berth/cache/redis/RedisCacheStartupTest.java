package dev.berth.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.Digest;
import dev.berth.registry.spi.cache.CacheException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Building the cache asks Redis once (Jedis learns the protocol there) but never fails on it: a Redis that is down
 * shows at first use, as a {@link CacheException} the registry can count.
 */
class RedisCacheStartupTest {
    @Test
    void aCacheBuiltWhileRedisIsDownIsBuiltAndFailsOnlyWhenUsed() throws Exception {
        int port;
        try (ServerSocket reserved = new ServerSocket(0)) {
            port = reserved.getLocalPort();
        }
        long t0 = System.nanoTime();
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(RedisCacheConfig.of("127.0.0.1", port))) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("built without waiting for Redis")
                    .isLessThan(Duration.ofSeconds(5));
            assertThatThrownBy(() -> cache.blob(Digest.sha256(new byte[] {1}))).isInstanceOf(CacheException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
            assertThatThrownBy(cache::checkHealth).isInstanceOf(CacheException.class).hasMessageContaining("PING");
        }
    }
}
