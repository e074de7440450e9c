package dev.berth.cache.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Durations are Go's ({@code 300ms}, {@code 5s}, {@code 1m30s}) or a bare number of seconds. Unknown keys are
 * rejected, naming them. {@link #toString()} masks the password. TTLs are not configurable from YAML (see
 * {@link RedisBlobDescriptorCache}), only here for embedders and tests.
 */
public record RedisCacheConfig(String host, int port, String password, int db, Duration dialTimeout,
        Duration readTimeout, Duration writeTimeout, int maxIdle, int maxActive, Duration idleTimeout, boolean tls,
        int breakerFailures, Duration breakerCoolDown, Duration blobTtl, Duration linkTtl, Duration tagTtl,
        Duration tombstone) {

    private static final Set<String> KNOWN = Set.of("addr", "password", "db", "dialtimeout", "readtimeout",
            "writetimeout", "pool", "tls", "circuitbreaker");
    private static final Set<String> POOL = Set.of("maxidle", "maxactive", "idletimeout");
    private static final Set<String> TLS = Set.of("enabled");
    private static final Set<String> BREAKER = Set.of("failures", "cooldown");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    public RedisCacheConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("redis cache: addr needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("redis cache: addr port must be 1-65535: " + port);
        }
        if (db < 0) {
            throw new IllegalArgumentException("redis cache: db must not be negative: " + db);
        }
        if (maxActive < 1 || maxIdle < 0) {
            throw new IllegalArgumentException("redis cache: pool.maxactive must be at least 1 and pool.maxidle not "
                    + "negative");
        }
        if (breakerFailures < 1) {
            throw new IllegalArgumentException("redis cache: circuitbreaker.failures must be at least 1");
        }
        for (Duration d : new Duration[] {dialTimeout, readTimeout, writeTimeout, blobTtl, linkTtl, tagTtl,
                tombstone}) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("redis cache: timeouts and TTLs must be positive: " + d);
            }
        }
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

    /** Parses distribution's {@code redis} section. */
    public static RedisCacheConfig parse(Map<String, ?> p) {
        rejectUnknown("", p, KNOWN);
        String addr = text("addr", p.get("addr"));
        if (addr == null) {
            throw new IllegalArgumentException("redis cache: addr is required (host:port)");
        }
        String host = addr;
        int port = 6379;
        int colon = addr.lastIndexOf(':');
        if (colon >= 0 && (!addr.startsWith("[") || addr.lastIndexOf(']') < colon)) {
            host = addr.substring(0, colon);
            port = integer("addr (port)", addr.substring(colon + 1));
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        RedisCacheConfig d = of(host, port);
        Map<String, ?> pool = section(p, "pool", POOL);
        Map<String, ?> tls = section(p, "tls", TLS);
        Map<String, ?> breaker = section(p, "circuitbreaker", BREAKER);
        String password = text("password", p.get("password"));
        return new RedisCacheConfig(host, port, password == null || password.isEmpty() ? null : password,
                p.get("db") == null ? 0 : integer("db", p.get("db")),
                duration("dialtimeout", p.get("dialtimeout"), d.dialTimeout),
                duration("readtimeout", p.get("readtimeout"), d.readTimeout),
                duration("writetimeout", p.get("writetimeout"), d.writeTimeout),
                pool.get("maxidle") == null ? d.maxIdle : integer("pool.maxidle", pool.get("maxidle")),
                pool.get("maxactive") == null ? d.maxActive : integer("pool.maxactive", pool.get("maxactive")),
                duration("pool.idletimeout", pool.get("idletimeout"), d.idleTimeout),
                tls.get("enabled") != null && bool("tls.enabled", tls.get("enabled")),
                breaker.get("failures") == null ? d.breakerFailures
                        : integer("circuitbreaker.failures", breaker.get("failures")),
                duration("circuitbreaker.cooldown", breaker.get("cooldown"), d.breakerCoolDown),
                d.blobTtl, d.linkTtl, d.tagTtl, d.tombstone);
    }

    @Override
    public String toString() {
        return "RedisCacheConfig[addr=" + host + ":" + port + ", password=" + (password == null ? "none" : "****")
                + ", db=" + db + ", dialtimeout=" + dialTimeout + ", readtimeout=" + readTimeout + ", writetimeout="
                + writeTimeout + ", pool=" + maxIdle + "/" + maxActive + "/" + idleTimeout + ", tls=" + tls
                + ", circuitbreaker=" + breakerFailures + "/" + breakerCoolDown + "]";
    }

    private static void rejectUnknown(String prefix, Map<String, ?> p, Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        for (String k : p.keySet()) {
            if (!known.contains(k)) {
                unknown.add(prefix + k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("redis cache: unknown parameter(s) " + String.join(", ", unknown)
                    + "; known: " + String.join(", ", new TreeSet<>(known)));
        }
    }

    private static Map<String, ?> section(Map<String, ?> p, String key, Set<String> known) {
        Object v = p.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("redis cache: " + key + " must be a section, not '" + v + "'");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> section = (Map<String, ?>) m;
        rejectUnknown(key + ".", section, known);
        return section;
    }

    private static String text(String key, Object v) {
        return v == null ? null : scalar(key, v).toString().trim();
    }

    /** A value that must be a scalar: a map or a list is refused naming the key, and without showing it. */
    private static Object scalar(String key, Object v) {
        if (v instanceof Map<?, ?> || v instanceof java.util.Collection<?>) {
            throw new IllegalArgumentException("redis cache: " + key + ": expected a single value, found a "
                    + (v instanceof Map<?, ?> ? "map" : "list"));
        }
        return v;
    }

    private static int integer(String key, Object v) {
        scalar(key, v);
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("redis cache: " + key + " must be a whole number, not '" + v + "'");
        }
    }

    private static boolean bool(String key, Object v) {
        scalar(key, v);
        String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("redis cache: " + key + " must be true or false, not '" + v + "'");
    }

    static Duration duration(String key, Object v, Duration fallback) {
        if (v == null) {
            return fallback;
        }
        if (v instanceof Duration d) {
            return d;
        }
        String s = scalar(key, v).toString().trim();
        if (s.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        Matcher m = PART.matcher(s);
        double nanos = 0;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            nanos += Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw new IllegalArgumentException("redis cache: " + key + ": '" + v
                    + "' is not a duration (write it like 300ms, 5s or 1m)");
        }
        return Duration.ofNanos((long) nanos);
    }
}
