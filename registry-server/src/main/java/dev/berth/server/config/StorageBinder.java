package dev.berth.server.config;

import dev.berth.cache.redis.RedisCacheConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code storage} and its switches, and the top-level {@code redis} section that the {@code redis} cache is built
 * from.
 */
final class StorageBinder {
    /** The keys of {@code storage} that are not a driver. */
    static final Set<String> NOT_DRIVERS = Set.of("delete", "redirect", "cache", "maintenance", "tag");

    private StorageBinder() {
    }

    /**
     * {@code storage}: exactly one driver (its section handed over as it is), {@code delete}, {@code redirect},
     * {@code cache} and {@code maintenance}; with no file at all, the embedded default (a filesystem driver in
     * {@code ./berth-data}, deletes on).
     */
    static ServerConfig.Storage bind(Section s, boolean embeddedDefault) {
        List<String> drivers = new ArrayList<>();
        for (String name : s.names()) {
            if (!NOT_DRIVERS.contains(name)) {
                drivers.add(name);
            }
        }
        String driver;
        Map<String, Object> parameters;
        if (drivers.isEmpty()) {
            if (!embeddedDefault) {
                throw new ConfigException("storage", "missing; name one driver, e.g. storage: {filesystem: "
                        + "{rootdirectory: /var/lib/registry}}");
            }
            driver = "filesystem";
            parameters = new LinkedHashMap<>(Map.of("rootdirectory", Path.of("berth-data").toAbsolutePath()
                    .toString()));
        } else if (drivers.size() > 1) {
            throw new ConfigException("storage", "names " + drivers.size() + " drivers (" + String.join(", ", drivers)
                    + "); exactly one is allowed");
        } else {
            driver = drivers.get(0);
            parameters = s.plain(driver);
        }
        // Like distribution, deletes are off unless enabled; the embedded default (no file) turns them on.
        boolean delete = s.section("delete").bool("enabled", embeddedDefault);
        boolean redirectDisabled = s.section("redirect").bool("disable", false);
        Section cache = s.section("cache");
        Optional<String> cacheName = cache.string("blobdescriptor").map(String::trim).filter(n -> !n.isEmpty());
        int cacheSize = cache.integer("blobdescriptorsize", 10_000, 1, Integer.MAX_VALUE);
        if (cacheName.isPresent() && !Set.of("inmemory", "redis").contains(cacheName.get())) {
            throw new ConfigException(cache.key("blobdescriptor"), "'" + cacheName.get()
                    + "' is not a cache; use inmemory or redis");
        }
        if (cacheName.isEmpty() && cache.has("blobdescriptorsize")) {
            s.warn(cache.key("blobdescriptorsize") + ": no blobdescriptor cache is configured; ignored");
        }
        Optional<ServerConfig.Cache> pending = cacheName.map(n -> new ServerConfig.Cache(n,
                n.equals("inmemory") ? Map.of("size", cacheSize) : Map.of()));
        s.readAll("tag");
        return new ServerConfig.Storage(driver, parameters, delete, redirectDisabled, pending,
                maintenance(s.section("maintenance")));
    }

    /**
     * The top-level {@code redis} section, checked now (a mistake names its key at startup, not at the first
     * request), and handed to the {@code redis} cache when {@code storage.cache.blobdescriptor} names it.
     */
    static ServerConfig.Storage withCache(Section root, ServerConfig.Storage storage) {
        boolean redisPresent = root.section("redis").present();
        Map<String, Object> redis = root.plain("redis");
        boolean wantsRedis = storage.cache().filter(c -> c.name().equals("redis")).isPresent();
        if (wantsRedis && !redisPresent) {
            throw new ConfigException("storage.cache.blobdescriptor", "redis needs the top-level redis section"
                    + " (at least redis.addr)");
        }
        if (redisPresent) {
            try {
                RedisCacheConfig.parse(redis);
            } catch (IllegalArgumentException e) {
                throw ConfigException.fromPlugin("redis", e);
            }
            if (!wantsRedis) {
                root.warn("redis: not used: set storage.cache.blobdescriptor: redis to cache in it");
            }
        }
        if (!wantsRedis) {
            return storage;
        }
        return new ServerConfig.Storage(storage.driver(), storage.parameters(), storage.deleteEnabled(),
                storage.redirectDisabled(), Optional.of(new ServerConfig.Cache("redis", redis)), storage.maintenance());
    }

    /** {@code storage.maintenance}: read-only mode and upload purging, with distribution's defaults. */
    private static ServerConfig.Maintenance maintenance(Section s) {
        boolean readOnly = s.section("readonly").bool("enabled", false);
        Section purging = s.section("uploadpurging");
        ServerConfig.UploadPurging defaults = ServerConfig.UploadPurging.DEFAULTS;
        boolean enabled = purging.bool("enabled", defaults.enabled());
        Duration age = positive(purging, "age", defaults.age());
        Duration interval = positive(purging, "interval", defaults.interval());
        boolean dryRun = purging.bool("dryrun", defaults.dryRun());
        if (readOnly && enabled && purging.present()) {
            s.warn(purging.path() + ": uploads are not purged while storage.maintenance.readonly is enabled");
        }
        return new ServerConfig.Maintenance(readOnly, new ServerConfig.UploadPurging(enabled, age, interval, dryRun),
                gc(s.section("gc"), readOnly));
    }

    /** {@code storage.maintenance.gc} (Berth's): online garbage collection, off unless enabled. */
    private static ServerConfig.Gc gc(Section s, boolean readOnly) {
        ServerConfig.Gc defaults = ServerConfig.Gc.DEFAULTS;
        boolean enabled = s.bool("enabled", defaults.enabled());
        Duration interval = positive(s, "interval", defaults.interval());
        Duration delay = s.duration("gcdelay", defaults.gcDelay());
        if (delay.isNegative()) {
            throw new ConfigException(s.key("gcdelay"), "must not be negative");
        }
        boolean deleteUntagged = s.bool("deleteuntagged", defaults.deleteUntagged());
        boolean dryRun = s.bool("dryrun", defaults.dryRun());
        int parallelism = s.integer("parallelism", defaults.parallelism(), 1, 256);
        if (enabled && delay.compareTo(Duration.ofMinutes(1)) < 0) {
            s.warn(s.key("gcdelay") + ": " + delay + " is shorter than a slow push can take; pushes from other"
                    + " replicas may lose blobs (1h is the default)");
        }
        if (readOnly && enabled) {
            s.warn(s.path() + ": no garbage collection while storage.maintenance.readonly is enabled");
        }
        return new ServerConfig.Gc(enabled, interval, delay, deleteUntagged, dryRun, parallelism);
    }

    private static Duration positive(Section s, String name, Duration fallback) {
        Duration d = s.duration(name, fallback);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(s.key(name), "must be a positive duration such as 168h or 30m, not '"
                    + s.string(name).orElse("") + "'");
        }
        return d;
    }
}
