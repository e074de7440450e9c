package dev.berth.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Caches;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Tag;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.testkit.BlobDescriptorCacheKit;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

class RedisBlobDescriptorCacheTest extends BlobDescriptorCacheKit {
    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = new RedisProcess(null);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected BlobDescriptorCache createCache() {
        return Caches.create("redis", RedisProcess.generous(redis.port));
    }

    @Test
    void keysAreNamespacedAsDocumented() {
        Digest d = digest();
        cache.fillBlob(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d, 42));
        cache.fillLink(repo("a/b"), d);
        cache.fillTag(repo("a/b"), new Tag("v1"), d);
        try (Jedis j = new Jedis("127.0.0.1", redis.port)) {
            assertThat(j.get("berth:blob:" + d)).isEqualTo("42 " + MediaTypes.OCI_LAYER_GZIP);
            assertThat(j.get("berth:repo:" + repo("a/b").value() + ":blob:" + d)).isEqualTo("1");
            assertThat(j.get("berth:tag:" + repo("a/b").value() + ":v1")).isEqualTo(d.toString());
            assertThat(j.pttl("berth:tag:" + repo("a/b").value() + ":v1")).isBetween(1L, 600_000L);
            assertThat(j.pttl("berth:blob:" + d)).isPositive();
        }
    }

    @Test
    void garbageInRedisIsAMissAndIsRemoved() {
        Digest d = digest();
        try (Jedis j = new Jedis("127.0.0.1", redis.port)) {
            j.set("berth:blob:" + d, "not-a-size application/x");
            j.set("berth:tag:" + repo("g").value() + ":v1", "sha256:nothex");
            j.set("berth:repo:" + repo("g").value() + ":blob:" + d, "yes");
            assertThat(cache.blob(d)).isEmpty();
            assertThat(cache.tag(repo("g"), new Tag("v1"))).isEmpty();
            assertThat(cache.isLinked(repo("g"), d)).isFalse();
            assertThat(j.exists("berth:blob:" + d)).isFalse();
            assertThat(((RedisBlobDescriptorCache) cache).garbage()).isEqualTo(3);
        }
    }

    @Test
    void rejectsUnknownParametersNamingThem() {
        assertThatThrownBy(() -> Caches.create("redis", Map.of("addr", "x:1", "adress", "y")))
                .hasMessageContaining("adress");
        assertThatThrownBy(() -> Caches.create("redis", Map.of("addr", "x:1", "pool", Map.of("maxidel", 3))))
                .hasMessageContaining("pool.maxidel");
        assertThatThrownBy(() -> Caches.create("redis", Map.of("addr", "x:1", "dialtimeout", "soon")))
                .hasMessageContaining("dialtimeout");
        assertThatThrownBy(() -> Caches.create("redis", Map.of())).hasMessageContaining("addr");
    }

    @Test
    void aMapOrListWhereAValueBelongsIsRefusedNamingTheKeyWithoutShowingIt() {
        Map<String, String> expected = Map.of("addr", "a single value", "password", "a single value",
                "db", "a whole number", "dialtimeout", "a duration such as 300ms, 30s, 5m or 1h30m",
                "tls", "true or false");
        for (String key : List.of("addr", "password", "db", "dialtimeout", "tls")) {
            Object map = key.equals("tls") ? Map.of("enabled", Map.of("s3cret", 1)) : Map.of("s3cret", "x");
            Map<String, Object> p = new HashMap<>(Map.of("addr", "cache:6379"));
            p.put(key, map);
            String shown = key.equals("tls") ? "tls.enabled" : key;
            assertThatThrownBy(() -> RedisCacheConfig.parse(p)).as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("redis." + shown + ": expected " + expected.get(key) + ", found a map")
                    .hasMessageNotContaining("s3cret");
        }
        assertThatThrownBy(() -> RedisCacheConfig.parse(Map.of("addr", "cache", "password", List.of("a"))))
                .hasMessage("redis.password: expected a single value, found a list");
    }

    @Test
    void parsesDistributionsRedisSection() {
        RedisCacheConfig c = RedisCacheConfig.parse(Map.of("addr", "redis.internal:6380", "password", "s3cret",
                "db", 2, "dialtimeout", "10ms", "readtimeout", "1s", "writetimeout", "1.5s",
                "pool", Map.of("maxidle", 3, "maxactive", 7, "idletimeout", "60s"), "tls", Map.of("enabled", true)));
        assertThat(c.host()).isEqualTo("redis.internal");
        assertThat(c.port()).isEqualTo(6380);
        assertThat(c.db()).isEqualTo(2);
        assertThat(c.dialTimeout()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.writeTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.maxIdle()).isEqualTo(3);
        assertThat(c.maxActive()).isEqualTo(7);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.tls()).isTrue();
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(RedisCacheConfig.parse(Map.of("addr", "[::1]:7000")).host()).isEqualTo("::1");
        assertThat(RedisCacheConfig.parse(Map.of("addr", "cache")).port()).isEqualTo(6379);
    }
}
