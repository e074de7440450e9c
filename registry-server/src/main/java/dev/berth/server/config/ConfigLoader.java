package dev.berth.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.berth.notifications.EndpointConfig;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.ImmutableTags;
import dev.berth.registry.RetentionPolicy;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.server.tls.TlsSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;

/**
 * Reads distribution's config.yml ({@code version: 0.1}) and its {@code REGISTRY_...} environment overrides into a
 * {@link ServerConfig}: environment over file over defaults. A key Berth does not know is a warning, never fatal; a
 * missing required key or a bad value is a {@link ConfigException} naming the key. A section Berth knows but cannot
 * honour yet is a warning when ignoring it only costs speed or convenience (a cache, health checks), and an error when
 * ignoring it would serve something other than what was configured (a pull-through proxy): Berth never starts open
 * when the file asks for a closed registry.
 */
public final class ConfigLoader {
    /** The keys of {@code storage} that are not a driver. */
    static final Set<String> NOT_DRIVERS = Set.of("delete", "redirect", "cache", "maintenance", "tag");

    private final Set<String> read = new HashSet<>();
    private final Set<String> readWhole = new HashSet<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigLoader() {
    }

    /** The configuration of {@code file} (null: none, the embedded default) with {@code env}'s overrides. */
    public static ServerConfig load(Path file, Map<String, String> env) {
        ObjectNode root;
        if (file == null) {
            root = JsonNodeFactory.instance.objectNode();
            root.put("version", "0.1");
        } else {
            root = readFile(file);
        }
        EnvOverrides.apply(root, env);
        return new ConfigLoader().bind(root, file == null);
    }

    /** The configuration of a YAML text, for tests and embedders. */
    public static ServerConfig parse(String yaml, Map<String, String> env) {
        ObjectNode root = readTree(yaml, "the configuration");
        EnvOverrides.apply(root, env);
        return new ConfigLoader().bind(root, false);
    }

    private static ObjectNode readFile(Path file) {
        try {
            return readTree(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException("(file)", "configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("(file)", "cannot read " + file + ": " + Failures.describe(e));
        }
    }

    private static ObjectNode readTree(String yaml, String what) {
        try {
            JsonNode node = Yaml.MAPPER.readTree(yaml);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("(file)", what + " must be a YAML mapping of keys");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ConfigException("(file)", what + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
    }

    private ServerConfig bind(ObjectNode tree, boolean embeddedDefault) {
        Section root = new Section("", tree, read, readWhole);
        String version = root.string("version").orElseThrow(() -> new ConfigException("version",
                "missing; distribution's configuration format starts with version: 0.1"));
        if (!version.equals("0.1")) {
            throw new ConfigException("version", "'" + version + "' is not supported; the format is version 0.1");
        }
        ServerConfig.Log log = log(root.section("log"));
        ServerConfig.Storage storage = storage(root.section("storage"), embeddedDefault);
        ServerConfig.Http http = http(root.section("http"));
        storage = withCache(root, storage);
        unsupportedButHarmless(root, "health", "the debug port's /debug/health checks storage, the cache and the "
                + "upstreams on each request (results kept 5 s); the health section is ignored");
        unsupportedButHarmless(root, "reporting", "error reporting services are not supported; ignored");
        unsupportedButHarmless(root, "validation", "manifest URL validation settings are not supported; ignored");
        unsupportedButHarmless(root, "compatibility", "schema1 is always refused; ignored");
        ImmutableTags immutableTags = immutableTags(root.section("tags"));
        ServerConfig.Auth auth = auth(root);
        refuseIfConfigured(root.section("middleware"), "middleware is not supported");
        List<dev.berth.registry.proxy.Upstream> upstreams = proxy(root.section("proxy"));
        Section catalog = root.section("catalog");
        int maxEntries = catalog.integer("maxentries", 1000, 1, 100_000);
        ServerConfig.Retention retention = retention(root.section("retention"), storage);
        ServerConfig.Notifications notifications = notifications(root.section("notifications"));
        for (String unknown : Section.unread(tree, read, readWhole)) {
            warnings.add(unknown + ": unknown key, ignored");
        }
        return new ServerConfig(log, storage, http, auth, maxEntries, warnings, immutableTags, retention, upstreams,
                notifications);
    }

    /**
     * {@code notifications}: distribution's {@code endpoints} list (name, disabled, url, headers, timeout, threshold,
     * backoff, ignoredmediatypes, ignore.mediatypes, ignore.actions; zero timeout, threshold or backoff take
     * distribution's defaults), Berth's {@code queuesize} per endpoint, and {@code events.includereferences}.
     */
    private ServerConfig.Notifications notifications(Section s) {
        boolean includeReferences = s.section("events").bool("includereferences", false);
        List<EndpointConfig> endpoints = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Section> items = s.sections("endpoints");
        for (int i = 0; i < items.size(); i++) {
            Section e = items.get(i);
            warnUnknown(e, ENDPOINT_KEYS);
            warnUnknown(e.section("ignore"), Set.of("mediatypes", "actions"));
            String name = e.string("name").map(String::trim).filter(n -> !n.isEmpty()).orElse("endpoint-" + i);
            if (!names.add(name)) {
                throw new ConfigException(e.key("name"), "'" + name + "' names another endpoint too; names must be"
                        + " unique");
            }
            boolean disabled = e.bool("disabled", false);
            Optional<String> url = e.string("url").map(String::trim).filter(u -> !u.isEmpty());
            if (url.isEmpty()) {
                if (disabled) {
                    e.readAll("headers");
                    e.readAll("ignore");
                    for (String k : List.of("timeout", "threshold", "backoff", "ignoredmediatypes", "queuesize")) {
                        e.readAll(k);
                    }
                    continue; // distribution skips a disabled endpoint before looking at it
                }
                throw new ConfigException(e.key("url"), "missing; where should events for endpoint '" + name
                        + "' be posted?");
            }
            URI uri;
            try {
                uri = new URI(url.get());
            } catch (URISyntaxException x) {
                throw new ConfigException(e.key("url"), "'" + Urls.redact(url.get()) + "' is not a URL: "
                        + x.getReason());
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            Section h = e.section("headers");
            for (String header : h.names()) {
                headers.put(header, h.strings(header));
            }
            Duration timeout = positiveOrDefault(e.duration("timeout", Duration.ZERO), EndpointConfig.DEFAULT_TIMEOUT);
            int threshold = e.integer("threshold", 0, 0, 1_000_000);
            Duration backoff = positiveOrDefault(e.duration("backoff", Duration.ZERO), EndpointConfig.DEFAULT_BACKOFF);
            Set<String> mediaTypes = new LinkedHashSet<>(e.strings("ignoredmediatypes"));
            Section ignore = e.section("ignore");
            mediaTypes.addAll(ignore.strings("mediatypes"));
            Set<RegistryEvent.Action> actions = new LinkedHashSet<>();
            for (String a : ignore.strings("actions")) {
                actions.add(RegistryEvent.Action.parse(a).orElseThrow(() -> new ConfigException(ignore.key("actions"),
                        "'" + a + "' is not an action; use push, pull, delete or mount")));
            }
            int queueSize = e.integer("queuesize", EndpointConfig.DEFAULT_QUEUE_SIZE, 1, 10_000_000);
            try {
                endpoints.add(new EndpointConfig(name, uri, headers, timeout,
                        threshold == 0 ? EndpointConfig.DEFAULT_THRESHOLD : threshold, backoff, mediaTypes, actions,
                        queueSize, disabled));
            } catch (IllegalArgumentException x) {
                // EndpointConfig's messages start with the key they are about.
                String message = x.getMessage();
                int colon = message.indexOf(": ");
                throw colon > 0 ? new ConfigException(e.key(message.substring(0, colon)), message.substring(colon + 2))
                        : new ConfigException(e.path(), message);
            }
        }
        return new ServerConfig.Notifications(endpoints, includeReferences);
    }

    /** The keys of one {@code notifications.endpoints[i]}. */
    private static final Set<String> ENDPOINT_KEYS = Set.of("name", "disabled", "url", "headers", "timeout",
            "threshold", "backoff", "ignoredmediatypes", "ignore", "queuesize");

    /** List items are read whole, so their unknown keys are reported here, as warnings like every unknown key. */
    private void warnUnknown(Section s, Set<String> known) {
        for (String name : s.names()) {
            if (!known.contains(name)) {
                warnings.add(s.key(name) + ": unknown key, ignored");
            }
        }
    }

    private static Duration positiveOrDefault(Duration d, Duration fallback) {
        return d.isZero() || d.isNegative() ? fallback : d;
    }

    /**
     * {@code auth}: exactly one provider, whose section is handed to the provider of that name (found by
     * ServiceLoader when the server starts); Berth's {@code access} rules beside it; and under {@code auth.token},
     * Berth's {@code builtin} token issuer.
     */
    private ServerConfig.Auth auth(Section root) {
        Section s = root.section("auth");
        List<String> providers = s.names();
        Optional<Map<String, Object>> access = root.has("access") ? Optional.of(root.plain("access"))
                : Optional.empty();
        root.readAll("access");
        if (providers.isEmpty()) {
            if (access.isPresent()) {
                throw new ConfigException("access", "access rules need an auth provider (auth.htpasswd or auth.token)"
                        + " to tell who is calling");
            }
            return ServerConfig.Auth.NONE;
        }
        if (providers.size() > 1) {
            throw new ConfigException("auth", "names " + providers.size() + " providers (" + String.join(", ",
                    providers) + "); exactly one is allowed");
        }
        String provider = providers.get(0);
        Map<String, Object> parameters = s.plain(provider);
        Optional<Map<String, Object>> builtin = Optional.empty();
        if (provider.equals("token") && parameters.containsKey("builtin")) {
            Object b = parameters.remove("builtin");
            if (b != null && !(b instanceof Map)) {
                throw new ConfigException("auth.token.builtin", "must be a mapping (key, certificate, htpasswd, "
                        + "expiration)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = b == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<String, Object>) b);
            builtin = Optional.of(map);
            // These are read by the server's own issuer, not handed to a plugin: checked as values here.
            Section token = s.section("token");
            for (String k : List.of("realm", "service", "issuer")) {
                token.string(k);
            }
            Section issuer = token.section("builtin");
            for (String k : List.of("key", "certificate", "expiration")) {
                issuer.string(k);
            }
        }
        return new ServerConfig.Auth(provider, parameters, access, builtin);
    }

    /**
     * Berth's {@code tags} section: {@code immutable}, a list of {@code repositories} and {@code tags} globs. The tag
     * limits some registries configure here ({@code maxtags}) are warned about and ignored.
     */
    private ImmutableTags immutableTags(Section s) {
        if (s.has("maxtags")) {
            warnings.add(s.key("maxtags") + ": tag limits are not available yet; ignored");
        }
        s.readAll("maxtags");
        List<ImmutableTags.Rule> rules = new ArrayList<>();
        for (Section rule : s.sections("immutable")) {
            rule.onlyKeys("repositories", "tags");
            List<String> repositories = requiredPatterns(rule, "repositories");
            List<String> tags = requiredPatterns(rule, "tags");
            rules.add(new ImmutableTags.Rule(repositories, tags));
        }
        return ImmutableTags.of(rules);
    }

    /**
     * Berth's {@code retention} section: {@code interval} (0 or absent: only the {@code retention} command applies
     * the policies), {@code dryrun}, and {@code policies}, each {@code repositories} globs with {@code keeplast}
     * and/or {@code keeptags}.
     */
    private static ServerConfig.Retention retention(Section s, ServerConfig.Storage storage) {
        if (!s.present()) {
            s.readAll("policies");
            return ServerConfig.Retention.NONE;
        }
        Duration interval = s.duration("interval", Duration.ZERO);
        if (interval.isNegative()) {
            throw new ConfigException(s.key("interval"), "must not be negative");
        }
        boolean dryRun = s.bool("dryrun", false);
        List<Section> items = s.sections("policies");
        if (items.isEmpty()) {
            throw new ConfigException(s.key("policies"), "missing; give at least one policy (repositories, keeplast,"
                    + " keeptags), or remove the retention section");
        }
        List<RetentionPolicy> policies = new ArrayList<>();
        for (Section p : items) {
            p.onlyKeys("repositories", "keeplast", "keeptags");
            List<String> repositories = requiredPatterns(p, "repositories");
            int keepLast = p.integer("keeplast", 0, 0, 1_000_000);
            List<String> keepTags = p.strings("keeptags");
            for (String t : keepTags) {
                if (t.isBlank()) {
                    throw new ConfigException(p.key("keeptags"), "an empty pattern");
                }
            }
            if (keepLast == 0 && keepTags.isEmpty()) {
                throw new ConfigException(p.path(), "keeps nothing; give keeplast (at least 1) or keeptags, so that a"
                        + " policy cannot delete every tag of a repository by mistake");
            }
            policies.add(new RetentionPolicy(repositories, keepLast, keepTags));
        }
        if (!interval.isZero() && !dryRun && !storage.deleteEnabled()) {
            throw new ConfigException(s.key("interval"), "scheduled retention deletes tags, which needs"
                    + " storage.delete.enabled: true (or set retention.dryrun: true)");
        }
        return new ServerConfig.Retention(interval, dryRun, policies);
    }

    private static List<String> requiredPatterns(Section s, String name) {
        List<String> patterns = s.strings(name);
        if (patterns.isEmpty()) {
            throw new ConfigException(s.key(name), "missing; give at least one pattern");
        }
        for (String p : patterns) {
            if (p.isBlank()) {
                throw new ConfigException(s.key(name), "an empty pattern");
            }
        }
        return patterns;
    }

    private void unsupportedButHarmless(Section root, String name, String why) {
        if (root.has(name)) {
            warnings.add(name + ": " + why);
        }
        root.readAll(name);
    }

    private static void refuseIfConfigured(Section section, String why) {
        for (String name : section.names()) {
            section.readAll(name);
            throw new ConfigException(section.key(name), why);
        }
    }

    private ServerConfig.Log log(Section s) {
        String level = s.string("level", "info").toLowerCase(Locale.ROOT);
        if (!Set.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new ConfigException(s.key("level"), "must be one of error, warn, info, debug, not '" + level + "'");
        }
        String formatter = s.string("formatter", "text").toLowerCase(Locale.ROOT);
        if (!Set.of("text", "json", "logstash").contains(formatter)) {
            throw new ConfigException(s.key("formatter"), "must be text, json or logstash, not '" + formatter + "'");
        }
        boolean accessLog = !s.section("accesslog").bool("disabled", false);
        if (s.has("fields")) {
            warnings.add(s.key("fields") + ": extra log fields are not supported yet; ignored");
        }
        s.readAll("fields");
        if (s.has("hooks")) {
            warnings.add(s.key("hooks") + ": log hooks are not supported; ignored");
        }
        s.readAll("hooks");
        return new ServerConfig.Log(level, formatter.equals("logstash") ? "json" : formatter, accessLog);
    }

    private ServerConfig.Storage storage(Section s, boolean embeddedDefault) {
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
            warnings.add(cache.key("blobdescriptorsize") + ": no blobdescriptor cache is configured; ignored");
        }
        Optional<ServerConfig.Cache> pending = cacheName.map(n -> new ServerConfig.Cache(n,
                n.equals("inmemory") ? Map.of("size", cacheSize) : Map.of()));
        s.readAll("tag");
        return new ServerConfig.Storage(driver, parameters, delete, redirectDisabled, pending,
                maintenance(s.section("maintenance")));
    }

    /**
     * {@code proxy}: distribution's single upstream ({@code remoteurl}, {@code username}, {@code password},
     * {@code ttl}) for every repository, and Berth's {@code upstreams}, each for the repositories under its
     * {@code prefix}. Every value is read by the typed getters, so a map or a list given for one of them is an error
     * naming the key. Without {@code remoteurl}, the single upstream's other keys are reported as unknown.
     */
    private List<dev.berth.registry.proxy.Upstream> proxy(Section s) {
        List<dev.berth.registry.proxy.Upstream> out = new ArrayList<>();
        if (s.names().contains("remoteurl")) { // present, even empty: a proxy was meant
            out.add(upstream(s, ""));
        }
        List<Section> items = s.sections("upstreams");
        for (Section item : items) {
            warnUnknown(item, UPSTREAM_KEYS);
            String prefix = item.string("prefix").orElse("");
            if (prefix.isBlank()) {
                throw new ConfigException(item.key("prefix"), "is required: the repositories under it come from "
                        + "this upstream (e.g. docker.io)");
            }
            String trimmed = prefix.replaceAll("/+$", "").replaceAll("/\\*+$", "");
            if (!dev.berth.registry.model.RepositoryName.isValid(trimmed)) {
                throw new ConfigException(item.key("prefix"), "'" + prefix + "' is not a repository name prefix");
            }
            out.add(upstream(item, trimmed));
        }
        java.util.Set<String> prefixes = new java.util.HashSet<>();
        for (var u : out) {
            if (!prefixes.add(u.prefix())) {
                throw new ConfigException(s.key("upstreams"), "two upstreams for the prefix '" + u.prefix() + "'");
            }
        }
        return out;
    }

    /** The keys of one {@code proxy.upstreams[i]}. */
    private static final Set<String> UPSTREAM_KEYS = Set.of("prefix", "remoteurl", "username", "password", "ttl");

    /** One upstream: {@code remoteurl}, {@code username} and {@code password} together, {@code ttl}. */
    private static dev.berth.registry.proxy.Upstream upstream(Section s, String prefix) {
        String u = s.string("remoteurl").orElse("");
        if (u.isBlank()) {
            throw new ConfigException(s.key("remoteurl"), "is required: the upstream registry's URL, e.g. "
                    + "https://registry-1.docker.io");
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(u.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(s.key("remoteurl"), "'" + Urls.redact(u) + "' is not a URL");
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new ConfigException(s.key("remoteurl"), "must be an http or https URL, not '" + Urls.redact(u)
                    + "'");
        }
        Optional<String> user = s.string("username");
        Optional<String> password = s.string("password");
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigException(s.key(user.isEmpty() ? "username" : "password"),
                    "username and password go together");
        }
        Duration ttl = s.duration("ttl", Duration.ofHours(168));
        return new dev.berth.registry.proxy.Upstream(prefix, uri, user, password, ttl);
    }

    /** {@code storage.maintenance}: read-only mode and upload purging, with distribution's defaults. */
    private ServerConfig.Maintenance maintenance(Section s) {
        boolean readOnly = s.section("readonly").bool("enabled", false);
        Section purging = s.section("uploadpurging");
        ServerConfig.UploadPurging defaults = ServerConfig.UploadPurging.DEFAULTS;
        boolean enabled = purging.bool("enabled", defaults.enabled());
        Duration age = positive(purging, "age", defaults.age());
        Duration interval = positive(purging, "interval", defaults.interval());
        boolean dryRun = purging.bool("dryrun", defaults.dryRun());
        if (readOnly && enabled && purging.present()) {
            warnings.add(purging.path() + ": uploads are not purged while storage.maintenance.readonly is enabled");
        }
        return new ServerConfig.Maintenance(readOnly, new ServerConfig.UploadPurging(enabled, age, interval, dryRun),
                gc(s.section("gc"), readOnly));
    }

    /** {@code storage.maintenance.gc} (Berth's): online garbage collection, off unless enabled. */
    private ServerConfig.Gc gc(Section s, boolean readOnly) {
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
            warnings.add(s.key("gcdelay") + ": " + delay + " is shorter than a slow push can take; pushes from other"
                    + " replicas may lose blobs (1h is the default)");
        }
        if (readOnly && enabled) {
            warnings.add(s.path() + ": no garbage collection while storage.maintenance.readonly is enabled");
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

    /**
     * The top-level {@code redis} section, checked now (a mistake names its key at startup, not at the first
     * request), and handed to the {@code redis} cache when {@code storage.cache.blobdescriptor} names it.
     */
    private ServerConfig.Storage withCache(Section root, ServerConfig.Storage storage) {
        boolean redisPresent = root.section("redis").present();
        Map<String, Object> redis = root.plain("redis");
        boolean wantsRedis = storage.cache().filter(c -> c.name().equals("redis")).isPresent();
        if (wantsRedis && !redisPresent) {
            throw new ConfigException("storage.cache.blobdescriptor", "redis needs the top-level redis section"
                    + " (at least redis.addr)");
        }
        if (redisPresent) {
            try {
                dev.berth.cache.redis.RedisCacheConfig.parse(redis);
            } catch (IllegalArgumentException e) {
                throw ConfigException.fromPlugin("redis", e);
            }
            if (!wantsRedis) {
                warnings.add("redis: not used: set storage.cache.blobdescriptor: redis to cache in it");
            }
        }
        if (!wantsRedis) {
            return storage;
        }
        return new ServerConfig.Storage(storage.driver(), storage.parameters(), storage.deleteEnabled(),
                storage.redirectDisabled(), Optional.of(new ServerConfig.Cache("redis", redis)), storage.maintenance());
    }

    private ServerConfig.Http http(Section s) {
        String net = s.string("net", "tcp");
        if (!net.equals("tcp")) {
            throw new ConfigException(s.key("net"), "only tcp is supported, not '" + net + "'");
        }
        HostPort addr = HostPort.parse(s.key("addr"), s.string("addr", ":5000"));
        String prefix = s.string("prefix", "/");
        if (!prefix.startsWith("/")) {
            throw new ConfigException(s.key("prefix"), "must start with /, not '" + prefix + "'");
        }
        prefix = prefix.replaceAll("/+$", "");
        Optional<String> host = s.string("host").map(h -> {
            if (!h.matches("https?://[^/\\s]+(/.*)?")) {
                throw new ConfigException(s.key("host"), "must be an absolute http or https URL, not '" + h + "'");
            }
            return h.replaceAll("/+$", "");
        });
        s.string("secret"); // distribution signs upload state with it; Berth keeps upload state in storage
        boolean relative = s.bool("relativeurls", false);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Section h = s.section("headers");
        for (String name : h.names()) {
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new ConfigException(h.key(name), "is not a valid HTTP header name");
            }
            headers.put(name, h.strings(name));
        }
        // distribution's default is 0 (requests in flight are cut); Berth lets them finish, within a bound.
        Duration drain = s.duration("draintimeout", Duration.ofSeconds(30));
        boolean http2 = !s.section("http2").bool("disabled", false);
        s.readAll("h2c");
        return new ServerConfig.Http(addr.host(), addr.port(), prefix, host, relative, headers, tls(s.section("tls")),
                debug(s.section("debug")), drain, http2, limits(s.section("limits")), threads(s));
    }

    /** Berth's {@code http.limits}; an absent key takes its value from {@link ServerConfig.Limits#DEFAULTS}. */
    private static ServerConfig.Limits limits(Section s) {
        ServerConfig.Limits d = ServerConfig.Limits.DEFAULTS;
        long minRequestRate = s.whole("minrequestrate", d.minRequestRate(), 0, Long.MAX_VALUE);
        long minResponseRate = s.whole("minresponserate", d.minResponseRate(), 0, Long.MAX_VALUE);
        Duration rateGrace = s.duration("rategrace", d.rateGrace());
        Duration idleTimeout = s.duration("idletimeout", d.idleTimeout());
        Duration headerTimeout = s.duration("headertimeout", d.headerTimeout());
        int maxConnections = s.integer("maxconnections", d.maxConnections(), 1, Integer.MAX_VALUE);
        int perClient = s.integer("maxconnectionsperclient", d.maxConnectionsPerClient(), 0, Integer.MAX_VALUE);
        Duration bodyTimeout = s.duration("bodytimeout", d.bodyTimeout());
        try {
            return new ServerConfig.Limits(minRequestRate, minResponseRate, rateGrace, idleTimeout, headerTimeout,
                    maxConnections, perClient, bodyTimeout);
        } catch (IllegalArgumentException e) {
            // Limits' messages start with the key they are about.
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw new ConfigException(s.key(message.substring(0, colon)), message.substring(colon + 2));
        }
    }

    /** Berth's {@code http.threads}: {@code auto}, {@code virtual} (Java 21 and later only) or {@code platform}. */
    private static ServerConfig.Threads threads(Section s) {
        String text = s.string("threads", "auto");
        ServerConfig.Threads threads = switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> ServerConfig.Threads.AUTO;
            case "virtual" -> ServerConfig.Threads.VIRTUAL;
            case "platform" -> ServerConfig.Threads.PLATFORM;
            default -> throw new ConfigException(s.key("threads"), "must be auto, virtual or platform, not '" + text
                    + "'");
        };
        int java = Runtime.version().feature();
        if (!threads.availableOn(java)) {
            throw new ConfigException(s.key("threads"), "virtual threads need Java "
                    + ServerConfig.Threads.VIRTUAL_SINCE + " or later; this runtime is Java " + java
                    + " (use auto or platform)");
        }
        return threads;
    }

    private Optional<TlsSettings> tls(Section s) {
        if (s.has("letsencrypt")) {
            s.readAll("letsencrypt");
            throw new ConfigException(s.key("letsencrypt"), "Let's Encrypt is not supported; give a certificate"
                    + " and key");
        }
        s.readAll("letsencrypt");
        Optional<String> cert = s.string("certificate");
        Optional<String> key = s.string("key");
        List<String> clientCas = s.strings("clientcas");
        String minimum = s.string("minimumtls", TlsSettings.DEFAULT_MINIMUM_TLS);
        List<String> suites = s.strings("ciphersuites");
        if (cert.isEmpty() && key.isEmpty()) {
            if (!clientCas.isEmpty()) {
                throw new ConfigException(s.key("clientcas"), "needs http.tls.certificate and http.tls.key");
            }
            return Optional.empty();
        }
        if (cert.isEmpty()) {
            throw new ConfigException(s.key("certificate"), "missing; http.tls.key is set");
        }
        if (key.isEmpty()) {
            throw new ConfigException(s.key("key"), "missing; http.tls.certificate is set");
        }
        try {
            return Optional.of(new TlsSettings(Path.of(cert.get()), Path.of(key.get()),
                    clientCas.stream().map(Path::of).toList(), minimum, suites));
        } catch (IllegalArgumentException e) {
            // TlsSettings' messages start with the key they are about.
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw colon > 0 ? new ConfigException(message.substring(0, colon), message.substring(colon + 2))
                    : new ConfigException(s.path(), message);
        }
    }

    private Optional<ServerConfig.Debug> debug(Section s) {
        Optional<String> addr = s.string("addr");
        Section prometheus = s.section("prometheus");
        boolean enabled = prometheus.bool("enabled", false);
        String path = prometheus.string("path", "/metrics");
        if (!path.startsWith("/")) {
            throw new ConfigException(prometheus.key("path"), "must start with /, not '" + path + "'");
        }
        if (addr.isEmpty()) {
            return Optional.empty();
        }
        HostPort hp = HostPort.parse(s.key("addr"), addr.get());
        return Optional.of(new ServerConfig.Debug(hp.host(), hp.port(), enabled, path));
    }

    /** {@code host:port}, {@code :port} (every interface) or {@code [v6]:port}, as Go's net.Listen takes them. */
    record HostPort(String host, int port) {
        static HostPort parse(String key, String text) {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(key, "must be host:port or :port, not '" + text + "'");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "'" + text.substring(colon + 1) + "' is not a port number (0-65535)");
            }
            return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
        }
    }
}
