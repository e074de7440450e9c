package dev.berth.server.config;

import dev.berth.notifications.EndpointConfig;
import dev.berth.registry.RetentionPolicy;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.proxy.Upstream;
import dev.berth.server.tls.TlsSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the standalone server serves, read from distribution's config.yml format (see {@link ConfigLoader}). Every
 * value is validated; secrets (storage parameters, {@code http.secret}) are never part of {@link #toString()}.
 */
public record ServerConfig(Log log, Storage storage, Http http, Auth auth, int catalogMaxEntries,
        List<String> warnings, ImmutableTags immutableTags, Retention retention,
        List<Upstream> upstreams, Notifications notifications, Ui ui) {

    public ServerConfig {
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(ui, "ui");
        Objects.requireNonNull(immutableTags, "immutableTags");
        Objects.requireNonNull(retention, "retention");
        upstreams = List.copyOf(upstreams);
        Objects.requireNonNull(notifications, "notifications");
    }

    /** A configuration with the default web console. */
    public ServerConfig(Log log, Storage storage, Http http, Auth auth, int catalogMaxEntries, List<String> warnings,
            ImmutableTags immutableTags, Retention retention, List<Upstream> upstreams, Notifications notifications) {
        this(log, storage, http, auth, catalogMaxEntries, warnings, immutableTags, retention, upstreams,
                notifications, Ui.DEFAULT);
    }

    /**
     * Berth's {@code ui} section: whether the web console is served ({@code enabled}), at which path below the
     * server's prefix ({@code path}), and how many recent events its activity page keeps ({@code activity}).
     */
    public record Ui(boolean enabled, String path, int activity) {
        /** No {@code ui} section: the console at {@code /ui/}, keeping the last 500 events. */
        public static final Ui DEFAULT = new Ui(true, "/ui", 500);

        public Ui {
            Objects.requireNonNull(path, "path");
        }
    }

    /** This configuration with other warnings. */
    public ServerConfig withWarnings(List<String> newWarnings) {
        return new ServerConfig(log, storage, http, auth, catalogMaxEntries, newWarnings, immutableTags, retention,
                upstreams, notifications, ui);
    }

    /** A configuration without notifications. */
    public ServerConfig(Log log, Storage storage, Http http, Auth auth, int catalogMaxEntries, List<String> warnings,
            ImmutableTags immutableTags, Retention retention, List<Upstream> upstreams) {
        this(log, storage, http, auth, catalogMaxEntries, warnings, immutableTags, retention, upstreams,
                Notifications.NONE);
    }

    /**
     * {@code notifications}: the endpoints events are posted to (disabled ones included, as configured) and
     * {@code events.includereferences}. Header values are never part of {@link #toString()}.
     */
    public record Notifications(List<EndpointConfig> endpoints, boolean includeReferences) {
        /** No {@code notifications} section. */
        public static final Notifications NONE = new Notifications(List.of(), false);

        public Notifications {
            endpoints = List.copyOf(endpoints);
        }

        /** Whether any endpoint is to be started. */
        public boolean enabled() {
            return endpoints.stream().anyMatch(e -> !e.disabled());
        }
    }

    /**
     * Berth's {@code retention} section: the policies, whether runs only report ({@code dryrun}), and how often the
     * server applies them ({@code interval}; zero: never by itself, only {@code registry-server retention}).
     */
    public record Retention(Duration interval, boolean dryRun, List<RetentionPolicy> policies) {
        /** No retention section. */
        public static final Retention NONE = new Retention(Duration.ZERO, false, List.of());

        public Retention {
            policies = List.copyOf(policies);
        }

        /** Whether the server should apply the policies on a schedule (a positive interval and some policies). */
        public boolean scheduled() {
            return !interval.isZero() && !interval.isNegative() && !policies.isEmpty();
        }
    }

    /** {@code log}: level (error, warn, info, debug), formatter (text, json), access log on or off. */
    public record Log(String level, String formatter, boolean accessLog) {
    }

    /**
     * {@code storage}: the one driver and its parameters (handed to the driver found by ServiceLoader under that
     * name), and the switches around it.
     */
    public record Storage(String driver, Map<String, Object> parameters, boolean deleteEnabled,
            boolean redirectDisabled, Optional<Cache> cache, Maintenance maintenance) {
        public Storage {
            parameters = Map.copyOf(parameters);
            Objects.requireNonNull(maintenance, "maintenance");
        }

        /** Storage with distribution's default maintenance (writable, uploads purged after a week). */
        public Storage(String driver, Map<String, Object> parameters, boolean deleteEnabled, boolean redirectDisabled,
                Optional<Cache> cache) {
            this(driver, parameters, deleteEnabled, redirectDisabled, cache, Maintenance.DEFAULTS);
        }

        @Override
        public String toString() {
            return "Storage[driver=" + driver + ", parameters=" + parameters.keySet() + " (values not shown)"
                    + ", deleteEnabled=" + deleteEnabled + ", redirectDisabled=" + redirectDisabled + ", cache="
                    + cache.map(Cache::toString).orElse("none") + ", " + maintenance + "]";
        }
    }

    /**
     * {@code storage.maintenance}: {@code readonly.enabled} (every push and delete refused) and
     * {@code uploadpurging}.
     */
    public record Maintenance(boolean readOnly, UploadPurging uploadPurging, Gc gc) {
        public static final Maintenance DEFAULTS = new Maintenance(false, UploadPurging.DEFAULTS, Gc.DEFAULTS);

        public Maintenance {
            Objects.requireNonNull(uploadPurging, "uploadPurging");
            Objects.requireNonNull(gc, "gc");
        }

        public Maintenance(boolean readOnly, UploadPurging uploadPurging) {
            this(readOnly, uploadPurging, Gc.DEFAULTS);
        }
    }

    /**
     * {@code storage.maintenance.gc} (Berth's): online garbage collection every {@code interval}, keeping anything
     * younger than {@code gcdelay}; off by default, as distribution has no online collection.
     */
    public record Gc(boolean enabled, Duration interval, Duration gcDelay, boolean deleteUntagged, boolean dryRun,
            int parallelism) {
        public static final Gc DEFAULTS = new Gc(false, Duration.ofHours(24), Duration.ofHours(1), false, false, 8);

        public Gc {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(gcDelay, "gcDelay");
        }

        /** The options each run collects with. */
        public GcOptions options() {
            return new GcOptions(dryRun, deleteUntagged, gcDelay, parallelism);
        }
    }

    /**
     * {@code storage.maintenance.uploadpurging}: whether abandoned blob uploads are deleted, those older than
     * {@code age}, every {@code interval}, or only reported ({@code dryrun}). Distribution's defaults: on, 168h, 24h,
     * off.
     */
    public record UploadPurging(boolean enabled, Duration age, Duration interval, boolean dryRun) {
        public static final UploadPurging DEFAULTS = new UploadPurging(true, Duration.ofHours(168),
                Duration.ofHours(24), false);

        public UploadPurging {
            Objects.requireNonNull(age, "age");
            Objects.requireNonNull(interval, "interval");
        }
    }

    /**
     * {@code storage.cache.blobdescriptor}: the cache's name ({@code inmemory}, {@code redis}) and the parameters it
     * is built from (for {@code inmemory}, {@code size} from {@code blobdescriptorsize}; for {@code redis}, the
     * top-level {@code redis} section).
     */
    public record Cache(String name, Map<String, Object> parameters) {
        public Cache {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }

        @Override
        public String toString() {
            return "Cache[" + name + ", parameters=" + parameters.keySet() + " (values not shown)]";
        }
    }

    /**
     * {@code http}. {@code host} (the external URL) is empty when Location headers follow the request; {@code limits}
     * and {@code threads} are Berth's.
     */
    public record Http(String bindHost, int port, String prefix, Optional<String> host, boolean relativeUrls,
            Map<String, List<String>> headers, Optional<TlsSettings> tls, Optional<Debug> debug, Duration drainTimeout,
            boolean http2, Limits limits, Threads threads) {
        public Http {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(threads, "threads");
        }

        /** An {@code http} section with the default limits and thread model. */
        public Http(String bindHost, int port, String prefix, Optional<String> host, boolean relativeUrls,
                Map<String, List<String>> headers, Optional<TlsSettings> tls, Optional<Debug> debug,
                Duration drainTimeout, boolean http2) {
            this(bindHost, port, prefix, host, relativeUrls, headers, tls, debug, drainTimeout, http2, Limits.DEFAULTS);
        }

        /** An {@code http} section with the default thread model. */
        public Http(String bindHost, int port, String prefix, Optional<String> host, boolean relativeUrls,
                Map<String, List<String>> headers, Optional<TlsSettings> tls, Optional<Debug> debug,
                Duration drainTimeout, boolean http2, Limits limits) {
            this(bindHost, port, prefix, host, relativeUrls, headers, tls, debug, drainTimeout, http2, limits,
                    Threads.AUTO);
        }
    }

    /**
     * Berth's {@code http.limits}: how much of the server one connection or one client may hold, so that thousands of
     * slow, stalled or idle clients cannot starve the rest. The server's connector enforces the connection caps and
     * the idle and header timeouts; the servlet enforces the body rates and {@code bodyTimeout}.
     *
     * <ul>
     *   <li>{@code minRequestRate}, {@code minResponseRate}: bytes per second that an upload body, or a download, must
     *       average over every {@code rateGrace} window; 0: not enforced. A window, not an instant, so that a client
     *       pausing for a moment (a GC, a full disk buffer) is not cut off.
     *   <li>{@code idleTimeout}: a connection on which nothing moves this long is closed.
     *   <li>{@code headerTimeout}: a connection that has not delivered the complete headers of its first request
     *       this long after it was accepted (the TLS handshake included) is closed: a client dribbling a request
     *       line (slowloris) would otherwise hold the connection for {@code idleTimeout} after every byte.
     *   <li>{@code maxConnections}: open connections in all; at the cap the server stops accepting until one closes.
     *   <li>{@code maxConnectionsPerClient}: open connections from one IP address; past it a new one is closed at once;
     *       0: no cap (behind a proxy, every client has the proxy's address).
     *   <li>{@code bodyTimeout}: how long reading a small body (a manifest, the token endpoint's form) may take.
     * </ul>
     *
     * <p>Rates and {@code maxConnectionsPerClient} are at least 0, {@code maxConnections} at least 1, and every
     * duration longer than zero; a violation is an {@link IllegalArgumentException} whose message starts with the
     * key ({@code maxconnections: ...}).
     */
    public record Limits(long minRequestRate, long minResponseRate, Duration rateGrace, Duration idleTimeout,
            Duration headerTimeout, int maxConnections, int maxConnectionsPerClient, Duration bodyTimeout) {
        /**
         * Protective for a registry on the internet, yet roomy: 10,000 connections leave room for more than 5,000
         * transfers at once, and 1 KiB/s over 30 s only cuts off a client that has all but stopped.
         */
        public static final Limits DEFAULTS = new Limits(1024, 1024, Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(10), 10_000, 1_000, Duration.ofSeconds(30));

        public Limits {
            atLeast("minrequestrate", minRequestRate, 0);
            atLeast("minresponserate", minResponseRate, 0);
            positive("rategrace", rateGrace);
            positive("idletimeout", idleTimeout);
            positive("headertimeout", headerTimeout);
            atLeast("maxconnections", maxConnections, 1);
            atLeast("maxconnectionsperclient", maxConnectionsPerClient, 0);
            positive("bodytimeout", bodyTimeout);
        }

        /**
         * The text a record's own {@code toString} gives ({@code Limits[minRequestRate=1024, ...]}), which the startup
         * log shows, written out: the record's is made by an invokedynamic bootstrap (some 50 classes) at its first
         * call, which is that line.
         */
        @Override
        public String toString() {
            return "Limits[minRequestRate=" + minRequestRate + ", minResponseRate=" + minResponseRate + ", rateGrace="
                    + rateGrace + ", idleTimeout=" + idleTimeout + ", headerTimeout=" + headerTimeout
                    + ", maxConnections=" + maxConnections + ", maxConnectionsPerClient=" + maxConnectionsPerClient
                    + ", bodyTimeout=" + bodyTimeout + "]";
        }

        /** Whether one client's connections are capped ({@code maxConnectionsPerClient} is not 0). */
        public boolean perClientCap() {
            return maxConnectionsPerClient > 0;
        }

        private static void atLeast(String key, long value, long min) {
            if (value < min) {
                throw new IllegalArgumentException(key + ": must be at least " + min + ", not " + value);
            }
        }

        private static void positive(String key, Duration value) {
            Objects.requireNonNull(value, key);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(key + ": must be longer than zero, not " + value);
            }
        }
    }

    /**
     * Berth's {@code http.threads}: the threads that run requests. On virtual threads (Java 21 and later) a request
     * waiting on storage or on a slow client holds no platform thread, so thousands of transfers at once do not need
     * thousands of threads; on platform threads the pool stays bounded, and requests beyond it queue.
     */
    public enum Threads {
        /** Virtual threads where the runtime has them, platform threads elsewhere. */
        AUTO,
        /** Virtual threads; a runtime without them is a configuration error. */
        VIRTUAL,
        /** A bounded pool of platform threads. */
        PLATFORM;

        /** The first Java release with virtual threads (JEP 444). */
        public static final int VIRTUAL_SINCE = 21;

        /** Whether this choice can be honoured on a Java runtime of that feature release (17, 21, 25...). */
        public boolean availableOn(int javaFeature) {
            return this != VIRTUAL || javaFeature >= VIRTUAL_SINCE;
        }

        /** Whether requests run on virtual threads on a Java runtime of that feature release. */
        public boolean virtualOn(int javaFeature) {
            if (!availableOn(javaFeature)) {
                throw new IllegalArgumentException("http.threads: virtual threads need Java " + VIRTUAL_SINCE
                        + " or later; this runtime is Java " + javaFeature + " (use auto or platform)");
            }
            return this == VIRTUAL || this == AUTO && javaFeature >= VIRTUAL_SINCE;
        }
    }

    /**
     * {@code auth} and {@code access}: the authentication provider's name and section (handed to the provider found
     * by ServiceLoader under that name), the access rules (Berth's; absent: distribution's rule, every authenticated
     * caller may do everything), and the built-in token issuer's section ({@code auth.token.builtin}).
     */
    public record Auth(String provider, Map<String, Object> parameters, Optional<Map<String, Object>> access,
            Optional<Map<String, Object>> builtinIssuer) {
        /** No {@code auth} section: everyone may do everything, as in distribution. */
        public static final Auth NONE = new Auth("anonymous", Map.of(), Optional.empty(), Optional.empty());

        public Auth {
            // Not Map.copyOf: a YAML key without a value is a null here, and the provider decides what it means.
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }

        public boolean enabled() {
            return !provider.equals("anonymous");
        }

        @Override
        public String toString() {
            return "Auth[provider=" + provider + ", parameters=" + parameters.keySet() + " (values not shown), access="
                    + access.map(a -> "rules").orElse("authenticated may do all") + ", builtinIssuer="
                    + builtinIssuer.isPresent() + "]";
        }
    }

    /** {@code http.debug}: the debug server's address and whether it serves Prometheus metrics, and where. */
    public record Debug(String host, int port, boolean prometheus, String prometheusPath) {
    }
}
