package dev.berth.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.spi.cache.CacheException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cache's health is a real PING to a real redis-server, which the test stops and starts again. */
class RedisHealthTest {
    private static final String PASSWORD = "pw-never-shown-4711";

    @Test
    void healthFailsWhileRedisIsStoppedAndRecoversWhenItIsBack() throws Exception {
        try (RedisProcess redis = new RedisProcess(PASSWORD);
                Registry registry = Registry.builder().cache("redis", Map.of("addr", "127.0.0.1:" + redis.port,
                        "password", PASSWORD)).healthChecks(Duration.ZERO, Duration.ofSeconds(10)).build()) {
            assertThat(registry.hasCache()).isTrue();
            assertThatCode(registry::checkCache).doesNotThrowAnyException();

            redis.stop();
            long t0 = System.nanoTime();
            assertThatThrownBy(registry::checkCache)
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("cache is unhealthy").hasMessageContaining("127.0.0.1:" + redis.port)
                    .hasMessageContaining("PING").hasMessageNotContaining(PASSWORD);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded by the dial timeout, not hanging")
                    .isLessThan(Duration.ofSeconds(5));

            redis.start();
            // The pool's idle connections died with the old server; the check tries a new one, so the first
            // check after the restart passes.
            assertThatCode(registry::checkCache).doesNotThrowAnyException();
        }
    }

    @Test
    void aWrongPasswordFailsTheCheckWithoutShowingEitherPassword() throws Exception {
        try (RedisProcess redis = new RedisProcess(PASSWORD);
                RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(RedisCacheConfig.of("127.0.0.1",
                        redis.port).withPassword("wrong-secret-0815"))) {
            assertThatThrownBy(cache::checkHealth).isInstanceOf(CacheException.class)
                    .hasMessageNotContaining(PASSWORD).hasMessageNotContaining("wrong-secret-0815");
        }
    }

    @Test
    void theCheckAsksRedisEvenWhileTheBreakerSkipsIt() throws Exception {
        try (RedisProcess redis = new RedisProcess(null);
                RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(redis.config()
                        .withBreaker(1, Duration.ofHours(1)))) {
            redis.stop();
            Digest digest = Digest.sha256(new byte[] {1});
            assertThatThrownBy(() -> cache.blob(digest)).isInstanceOf(CacheException.class);
            assertThat(cache.breakerOpen()).isTrue();
            assertThat(cache.blob(digest)).as("skipped while the breaker is open").isEmpty();
            redis.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    cache.checkHealth();
                    break;
                } catch (CacheException notYet) {
                    assertThat(System.nanoTime()).as("Redis answers PING again").isLessThan(deadline);
                }
            }
            assertThat(cache.breakerOpen()).as("requests still skip Redis until the cool-down").isTrue();
        }
    }
}
