package dev.berth.cache.redis;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.CacheException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.params.SetParams;

/**
 * The {@code redis} cache: one Redis shared by every replica, so an invalidation on one is seen by all at once.
 * Thread-safe.
 *
 * <h2>Keys</h2>
 * <pre>
 * berth:blob:&lt;digest&gt;                    "&lt;size&gt; &lt;media type&gt;"   TTL 24 h (only GC makes it wrong)
 * berth:repo:&lt;name&gt;:blob:&lt;digest&gt;        "1"                        TTL 1 h
 * berth:tag:&lt;name&gt;:&lt;tag&gt;                 "&lt;digest&gt;"               TTL 10 min
 * any of them                               "!" (tombstone)            TTL 2 s, written by an invalidation
 * </pre>
 * Repository names and tags cannot contain {@code ':'}, so keys never collide. A fill is {@code SET NX PX}, so it
 * never replaces a tombstone (the SPI's "a fill loses against an invalidation"); an invalidation is a plain
 * {@code SET} of the tombstone, so it always wins. The TTLs bound how long an entry can stay wrong when an
 * invalidation could not reach Redis (Redis down or the breaker open while a replica wrote), or when storage was
 * changed by something other than a Berth sharing this Redis (distribution, a GC run without the cache).
 *
 * <h2>Failures</h2>
 * Connect and socket timeouts are bounded, as is the wait for a pooled connection. A value that does not parse is
 * a miss (and is deleted). After {@code circuitbreaker.failures} failures in a row Redis is skipped (every read a
 * miss, every write skipped) for {@code circuitbreaker.cooldown}; then it is tried again. Failures throw
 * {@link CacheException}, which the registry turns into a storage read, a count and a rate-limited log line.
 */
public final class RedisBlobDescriptorCache implements BlobDescriptorCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBlobDescriptorCache.class);
    static final String PREFIX = "berth:";
    static final String TOMBSTONE = "!";

    private final RedisCacheConfig config;
    /** Every command borrows a pooled connection for itself and returns it (or drops it, if it broke). */
    private final RedisClient redis;
    private final CircuitBreaker breaker;
    private final LongAdder skipped = new LongAdder();
    private final LongAdder garbage = new LongAdder();

    public RedisBlobDescriptorCache(RedisCacheConfig config) {
        this.config = config;
        GenericObjectPoolConfig<Connection> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(config.maxActive());
        poolConfig.setMaxIdle(config.maxIdle());
        poolConfig.setMinIdle(0);
        poolConfig.setMaxWait(config.dialTimeout());
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setMinEvictableIdleDuration(config.idleTimeout());
        poolConfig.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
        poolConfig.setTestWhileIdle(true);
        poolConfig.setJmxEnabled(false);
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(config.dialTimeout()))
                .socketTimeoutMillis(millis(config.readTimeout().compareTo(config.writeTimeout()) >= 0
                        ? config.readTimeout() : config.writeTimeout()))
                .database(config.db())
                .clientName("berth")
                .autoNegotiateProtocol(false);
        if (config.tls()) {
            // Trust the JDK's default trust store (javax.net.ssl.trustStore, else cacerts) and check the dialled host
            // name against the certificate, as the deprecated ssl(true) did and distribution's tls.enabled does. Each
            // new connection reads that store; ssl(true) used the JVM's default SSLContext, which also sent a client
            // certificate from javax.net.ssl.keyStore, if set: this sends none, like distribution.
            client.sslOptions(SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL).build());
        }
        if (config.password() != null) {
            client.password(config.password());
        }
        // No protocol is named, so a connection AUTHs and stays on RESP2 without HELLO (which Redis before 6
        // lacks). For that RedisClient borrows one connection here, to learn the protocol; it swallows a failure
        // (within the timeouts above), which the first command or health check then reports.
        this.redis = RedisClient.builder().hostAndPort(new HostAndPort(config.host(), config.port()))
                .clientConfig(client.build()).poolConfig(poolConfig).build();
        this.breaker = new CircuitBreaker(config.breakerFailures(), config.breakerCoolDown(), System::nanoTime);
    }

    public RedisCacheConfig config() {
        return config;
    }

    /** Calls not made because the breaker was open. */
    public long skipped() {
        return skipped.sum();
    }

    /** Values found in Redis that did not parse (treated as misses). */
    public long garbage() {
        return garbage.sum();
    }

    public boolean breakerOpen() {
        return breaker.isOpen();
    }

    static String blobKey(Digest d) {
        return PREFIX + "blob:" + d;
    }

    static String linkKey(RepositoryName r, Digest d) {
        return PREFIX + "repo:" + r.value() + ":blob:" + d;
    }

    static String tagKey(RepositoryName r, Tag t) {
        return PREFIX + "tag:" + r.value() + ":" + t.value();
    }

    @Override
    public Optional<Descriptor> blob(Digest digest) {
        String key = blobKey(digest);
        return get(key).flatMap(v -> descriptor(key, digest, v));
    }

    /** One round trip ({@code MGET}) for the link and the descriptor. */
    @Override
    public Optional<Descriptor> linkedBlob(RepositoryName repository, Digest digest) {
        String link = linkKey(repository, digest);
        String blob = blobKey(digest);
        List<String> values = call(j -> j.mget(link, blob), null);
        if (values == null || values.size() != 2 || values.get(0) == null || values.get(1) == null
                || values.get(0).equals(TOMBSTONE) || values.get(1).equals(TOMBSTONE)) {
            return Optional.empty();
        }
        if (!values.get(0).equals("1")) {
            return garbage(link);
        }
        return descriptor(blob, digest, values.get(1));
    }

    private Optional<Descriptor> descriptor(String key, Digest digest, String v) {
        int space = v.indexOf(' ');
        try {
            long size = Long.parseLong(space < 0 ? v : v.substring(0, space));
            if (size < 0) {
                return garbage(key);
            }
            String mediaType = space < 0 ? "application/octet-stream" : v.substring(space + 1);
            return Optional.of(Descriptor.of(mediaType, digest, size));
        } catch (RuntimeException e) {
            return garbage(key);
        }
    }

    @Override
    public void fillBlob(Descriptor d) {
        fill(blobKey(d.digest()), d.size() + " " + d.mediaType(), config.blobTtl());
    }

    @Override
    public void invalidateBlob(Digest digest) {
        invalidate(blobKey(digest));
    }

    @Override
    public boolean isLinked(RepositoryName repository, Digest digest) {
        String key = linkKey(repository, digest);
        return get(key).flatMap(v -> v.equals("1") ? Optional.of(Boolean.TRUE) : garbage(key)).isPresent();
    }

    @Override
    public void fillLink(RepositoryName repository, Digest digest) {
        fill(linkKey(repository, digest), "1", config.linkTtl());
    }

    @Override
    public void invalidateLink(RepositoryName repository, Digest digest) {
        invalidate(linkKey(repository, digest));
    }

    @Override
    public Optional<Digest> tag(RepositoryName repository, Tag tag) {
        String key = tagKey(repository, tag);
        return get(key).flatMap(v -> {
            try {
                return Optional.of(Digest.parse(v));
            } catch (RuntimeException e) {
                return garbage(key);
            }
        });
    }

    @Override
    public void fillTag(RepositoryName repository, Tag tag, Digest digest) {
        fill(tagKey(repository, tag), digest.toString(), config.tagTtl());
    }

    @Override
    public void invalidateTag(RepositoryName repository, Tag tag) {
        invalidate(tagKey(repository, tag));
    }

    /**
     * A {@code PING} on a pooled connection, past the circuit breaker (a health check asks for real even while
     * requests skip Redis), bounded by {@code dialtimeout} (waiting for a connection, connecting) and the socket
     * timeout. A pooled connection that Redis closed while it was idle (Redis restarted) fails the first try and is
     * dropped; that is no illness, so the PING is tried once more, on a new connection. The message names Redis's
     * address and never its password.
     */
    @Override
    public void checkHealth() {
        String answer;
        try {
            answer = redis.ping();
        } catch (JedisConnectionException staleOrDown) {
            try {
                answer = redis.ping();
            } catch (RuntimeException e) {
                throw unhealthy(e);
            }
        } catch (RuntimeException e) {
            throw unhealthy(e);
        }
        if (!"PONG".equalsIgnoreCase(answer)) {
            throw new CacheException("redis cache " + config.host() + ":" + config.port() + " answered PING with "
                    + answer);
        }
    }

    private CacheException unhealthy(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new CacheException("redis cache " + config.host() + ":" + config.port() + " does not answer PING: "
                + e.getMessage() + (root == e ? "" : " (" + root + ")"), e);
    }

    @Override
    public void close() {
        redis.close();
    }

    private Optional<String> get(String key) {
        String value = call(j -> j.get(key), null);
        return value == null || value.equals(TOMBSTONE) ? Optional.empty() : Optional.of(value);
    }

    private void fill(String key, String value, Duration ttl) {
        call(j -> j.set(key, value, SetParams.setParams().nx().px(ttl.toMillis())), null);
    }

    private void invalidate(String key) {
        call(j -> j.set(key, TOMBSTONE, SetParams.setParams().px(config.tombstone().toMillis())), null);
    }

    private <T> Optional<T> garbage(String key) {
        garbage.increment();
        try {
            call(j -> j.del(key), null);
        } catch (CacheException ignored) {
            // a miss either way
        }
        return Optional.empty();
    }

    private <T> T call(Function<RedisClient, T> command, T whenSkipped) {
        if (!breaker.allow()) {
            skipped.increment();
            return whenSkipped;
        }
        try {
            T result = command.apply(redis);
            breaker.success();
            return result;
        } catch (RuntimeException e) {
            if (breaker.failure()) {
                LOG.warn("redis cache {}:{}: {} failures in a row, skipping Redis for {} (last: {})", config.host(),
                        config.port(), config.breakerFailures(), config.breakerCoolDown(), e.toString());
            }
            throw new CacheException("redis cache " + config.host() + ":" + config.port() + ": "
                    + Failures.describe(e), e);
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }
}
