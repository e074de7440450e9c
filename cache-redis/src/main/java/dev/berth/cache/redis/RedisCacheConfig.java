package dev.berth.cache.redis;

import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.Parameters;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code redis} cache's settings, parsed from distribution's {@code redis} section:
 *
 * <pre>
 * redis:
 *   addr: localhost:6379        host:port ([v6]:port); port defaults to 6379
 *   password: secret            AUTH (requirepass); optional
 *   db: 0                       SELECT
 *   dialtimeout: 200ms          connect timeout, and the longest wait for a pooled connection
 *   readtimeout: 200ms          socket timeout (Jedis has one for both directions: the larger of read and write)
 *   writetimeout: 200ms
 *   pool: {maxidle: 16, maxactive: 64, idletimeout: 300s}
 *   tls: {enabled: false}
 *   circuitbreaker: {failures: 5, cooldown: 5s}     Berth's own: skip Redis for cooldown after that many failures in a row
 * </pre>
 *
 * Values are read as {@link Parameters} reads them: durations are Go's ({@code 300ms}, {@code 5s}, {@code 1m30s})
 * or a bare number of seconds. Unknown keys are rejected, naming them. {@link #toString()} masks the password. TTLs are not configurable from YAML (see
 * {@link RedisBlobDescriptorCache}), only here for embedders and tests.
 */
public record RedisCacheConfig(String host, int port, String password, int db, Duration dialTimeout,
        Duration readTimeout, Duration writeTimeout, int maxIdle, int maxActive, Duration idleTimeout, boolean tls,
        int breakerFailures, Duration breakerCoolDown, Duration blobTtl, Duration linkTtl, Duration tagTtl,
        Duration tombstone) {

    /** How errors name the cache: distribution's {@code redis} section. */
    private static final String NAME = "redis";

    public RedisCacheConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw invalid("addr", "needs a host");
        }
        if (port < 1 || port > 65535) {
            throw invalid("addr", "the port must be from 1 to 65535, found " + port);
        }
        if (db < 0) {
            throw invalid("db", "must not be negative, found " + db);
        }
        if (maxActive < 1) {
            throw invalid("pool.maxactive", "must be at least 1, found " + maxActive);
        }
        if (maxIdle < 0) {
            throw invalid("pool.maxidle", "must not be negative, found " + maxIdle);
        }
        if (breakerFailures < 1) {
            throw invalid("circuitbreaker.failures", "must be at least 1, found " + breakerFailures);
        }
        Map<String, Duration> positive = new LinkedHashMap<>();
        positive.put("dialtimeout", dialTimeout);
        positive.put("readtimeout", readTimeout);
        positive.put("writetimeout", writeTimeout);
        positive.put("blob TTL", blobTtl);
        positive.put("link TTL", linkTtl);
        positive.put("tag TTL", tagTtl);
        positive.put("tombstone", tombstone);
        positive.forEach((key, d) -> {
            if (d.isZero() || d.isNegative()) {
                throw invalid(key, "must be longer than zero, found " + d);
            }
        });
    }

    /** Defaults: localhost:6379, db 0, 200 ms timeouts, pool 16 idle / 64 active, 5 failures then 5 s off. */
    public static RedisCacheConfig of(String host, int port) {
        return new RedisCacheConfig(host, port, null, 0, Duration.ofMillis(200), Duration.ofMillis(200),
                Duration.ofMillis(200), 16, 64, Duration.ofMinutes(5), false, 5, Duration.ofSeconds(5),
                Duration.ofHours(24), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofSeconds(2));
    }

    public RedisCacheConfig withPassword(String pw) {
        return new RedisCacheConfig(host, port, pw, db, dialTimeout, readTimeout, writeTimeout, maxIdle, maxActive,
                idleTimeout, tls, breakerFailures, breakerCoolDown, blobTtl, linkTtl, tagTtl, tombstone);
    }

    public RedisCacheConfig withBreaker(int failures, Duration coolDown) {
        return new RedisCacheConfig(host, port, password, db, dialTimeout, readTimeout, writeTimeout, maxIdle,
                maxActive, idleTimeout, tls, failures, coolDown, blobTtl, linkTtl, tagTtl, tombstone);
    }

    public RedisCacheConfig withTombstone(Duration t) {
        return new RedisCacheConfig(host, port, password, db, dialTimeout, readTimeout, writeTimeout, maxIdle,
                maxActive, idleTimeout, tls, breakerFailures, breakerCoolDown, blobTtl, linkTtl, tagTtl, t);
    }

    /** Parses distribution's {@code redis} section; mistakes are {@link ParameterException}s naming the key. */
    public static RedisCacheConfig parse(Map<String, ?> parameters) {
        Parameters p = Parameters.of(NAME, parameters).rejectUnknown("addr", "password", "db", "dialtimeout",
                "readtimeout", "writetimeout", "pool", "tls", "circuitbreaker");
        String addr = p.string("addr").map(String::trim)
                .orElseThrow(() -> p.invalid("addr", "required (host:port)"));
        String host = addr;
        int port = 6379;
        int colon = addr.lastIndexOf(':');
        if (colon >= 0 && (!addr.startsWith("[") || addr.lastIndexOf(']') < colon)) {
            host = addr.substring(0, colon);
            try {
                port = Integer.parseInt(addr.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw p.invalid("addr", "the port must be a number from 1 to 65535, found '"
                        + addr.substring(colon + 1) + "'");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        RedisCacheConfig d = of(host, port);
        Parameters pool = p.section("pool").rejectUnknown("maxidle", "maxactive", "idletimeout");
        Parameters tls = p.section("tls").rejectUnknown("enabled");
        Parameters breaker = p.section("circuitbreaker").rejectUnknown("failures", "cooldown");
        String password = p.string("password").map(String::trim).filter(pw -> !pw.isEmpty()).orElse(null);
        return new RedisCacheConfig(host, port, password, p.integer("db", 0),
                p.duration("dialtimeout", d.dialTimeout), p.duration("readtimeout", d.readTimeout),
                p.duration("writetimeout", d.writeTimeout), pool.integer("maxidle", d.maxIdle),
                pool.integer("maxactive", d.maxActive), pool.duration("idletimeout", d.idleTimeout),
                tls.bool("enabled", false), breaker.integer("failures", d.breakerFailures),
                breaker.duration("cooldown", d.breakerCoolDown), d.blobTtl, d.linkTtl, d.tagTtl, d.tombstone);
    }

    private static ParameterException invalid(String key, String problem) {
        return new ParameterException(NAME, key, problem);
    }

    @Override
    public String toString() {
        return "RedisCacheConfig[addr=" + host + ":" + port + ", password=" + (password == null ? "none" : "****")
                + ", db=" + db + ", dialtimeout=" + dialTimeout + ", readtimeout=" + readTimeout + ", writetimeout="
                + writeTimeout + ", pool=" + maxIdle + "/" + maxActive + "/" + idleTimeout + ", tls=" + tls
                + ", circuitbreaker=" + breakerFailures + "/" + breakerCoolDown + "]";
    }
}
