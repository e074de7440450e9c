package dev.berth.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.berth.registry.ImmutableTags;
import dev.berth.registry.RetentionPolicy;
import dev.berth.server.tls.TlsSettings;

/**
 * What the standalone server serves, read from distribution's config.yml format (see {@link ConfigLoader}). Every
 * value is validated; secrets (storage parameters, {@code http.secret}) are never part of {@link #toString()}.
 */
public record ServerConfig(Log log, Storage storage, Http http, Auth auth, int catalogMaxEntries,
        List<String> warnings, ImmutableTags immutableTags, Retention retention,
        List<dev.berth.registry.proxy.Upstream> upstreams, Notifications notifications) {

    public ServerConfig {
        warnings = List.copyOf(warnings);
        java.util.Objects.requireNonNull(immutableTags, "immutableTags");
        java.util.Objects.requireNonNull(retention, "retention");
        upstreams = List.copyOf(upstreams);
        java.util.Objects.requireNonNull(notifications, "notifications");
    }

    /** A configuration without notifications. */
    public ServerConfig(Log log, Storage storage, Http http, Auth auth, int catalogMaxEntries, List<String> warnings,
            ImmutableTags immutableTags, Retention retention, List<dev.berth.registry.proxy.Upstream> upstreams) {
        this(log, storage, http, auth, catalogMaxEntries, warnings, immutableTags, retention, upstreams,
                Notifications.NONE);
    }

    /**
     * {@code notifications}: the endpoints events are posted to (disabled ones included, as configured) and
     * {@code events.includereferences}. Header values are never part of {@link #toString()}.
     */
    public record Notifications(List<dev.berth.notifications.EndpointConfig> endpoints, boolean includeReferences) {
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
            java.util.Objects.requireNonNull(maintenance, "maintenance");
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
            java.util.Objects.requireNonNull(uploadPurging, "uploadPurging");
            java.util.Objects.requireNonNull(gc, "gc");
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
            java.util.Objects.requireNonNull(interval, "interval");
            java.util.Objects.requireNonNull(gcDelay, "gcDelay");
        }

        /** The options each run collects with. */
        public dev.berth.registry.gc.GcOptions options() {
            return new dev.berth.registry.gc.GcOptions(dryRun, deleteUntagged, gcDelay, parallelism);
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
            java.util.Objects.requireNonNull(age, "age");
            java.util.Objects.requireNonNull(interval, "interval");
        }
    }

    /**
     * {@code storage.cache.blobdescriptor}: the cache's name ({@code inmemory}, {@code redis}) and the parameters it
     * is built from (for {@code inmemory}, {@code size} from {@code blobdescriptorsize}; for {@code redis}, the
     * top-level {@code redis} section).
     */
    public record Cache(String name, Map<String, Object> parameters) {
        public Cache {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        }

        @Override
        public String toString() {
            return "Cache[" + name + ", parameters=" + parameters.keySet() + " (values not shown)]";
        }
    }

    /** {@code http}. {@code host} (the external URL) is empty when Location headers follow the request. */
    public record Http(String bindHost, int port, String prefix, Optional<String> host, boolean relativeUrls,
            Map<String, List<String>> headers, Optional<TlsSettings> tls, Optional<Debug> debug, Duration drainTimeout,
            boolean http2) {
        public Http {
            headers = Map.copyOf(headers);
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
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
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
