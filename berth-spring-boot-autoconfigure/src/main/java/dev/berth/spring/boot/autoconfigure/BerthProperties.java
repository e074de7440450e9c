package dev.berth.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code berth.*} properties: the keys of the standalone server's {@code config.yml}, with the same names and
 * meanings, below {@code berth.} ({@code storage.delete.enabled} is {@code berth.storage.delete.enabled}).
 *
 * <p>The sections that name a plugin ({@code berth.storage.<driver>.*}, {@code berth.cache.<name>.*},
 * {@code berth.auth.<provider>.*}) are not fields here: their keys belong to the plugin, so
 * {@link BerthAutoConfiguration} reads them as maps and hands them to the plugin, which checks them.
 *
 * <p>Durations are written as in {@code config.yml} (Go's {@code 1h30m}, {@code 500ms}; a bare number is seconds) or
 * as Spring writes them ({@code 7d}, {@code PT1H30M}); see {@link ConfigDurationConverter}.
 */
@ConfigurationProperties(prefix = "berth")
public class BerthProperties {
    /** Whether the starter builds a registry and serves it at /v2/. */
    private boolean enabled = true;

    private final Storage storage = new Storage();
    private final Http http = new Http();
    private final Catalog catalog = new Catalog();
    private final Access access = new Access();
    private final Proxy proxy = new Proxy();
    private final Notifications notifications = new Notifications();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Storage getStorage() {
        return storage;
    }

    public Http getHttp() {
        return http;
    }

    public Catalog getCatalog() {
        return catalog;
    }

    public Access getAccess() {
        return access;
    }

    public Proxy getProxy() {
        return proxy;
    }

    public Notifications getNotifications() {
        return notifications;
    }

    /** {@code berth.storage}: besides the driver's own section, the keys every driver shares. */
    public static class Storage {
        private final Delete delete = new Delete();
        private final Redirect redirect = new Redirect();
        private final Maintenance maintenance = new Maintenance();

        public Delete getDelete() {
            return delete;
        }

        public Redirect getRedirect() {
            return redirect;
        }

        public Maintenance getMaintenance() {
            return maintenance;
        }
    }

    /** {@code berth.storage.delete}. */
    public static class Delete {
        /** Whether blobs, manifests, tags and repositories may be deleted (off, as in distribution). */
        private boolean enabled;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code berth.storage.redirect}. */
    public static class Redirect {
        /** Answer blob GETs from the registry instead of redirecting to the storage's own URL (S3: presigned). */
        private boolean disable;

        public boolean isDisable() {
            return disable;
        }

        public void setDisable(boolean disable) {
            this.disable = disable;
        }
    }

    /** {@code berth.storage.maintenance}. */
    public static class Maintenance {
        private final ReadOnly readonly = new ReadOnly();

        public ReadOnly getReadonly() {
            return readonly;
        }
    }

    /** {@code berth.storage.maintenance.readonly}. */
    public static class ReadOnly {
        /** Refuse every push and delete with 405 UNSUPPORTED; pulls work. */
        private boolean enabled;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code berth.http}: how the registry writes the URLs it answers with. */
    public static class Http {
        /** The URL clients reach the application at (e.g. https://registry.example.com); empty: from each request. */
        private String host;
        /** Location headers without scheme and host. */
        private boolean relativeurls;
        /** Headers sent with every answer of the registry (e.g. X-Content-Type-Options: nosniff). */
        private Map<String, List<String>> headers = new LinkedHashMap<>();
        private final Limits limits = new Limits();

        public Map<String, List<String>> getHeaders() {
            return headers;
        }

        public void setHeaders(Map<String, List<String>> headers) {
            this.headers = headers;
        }

        public Limits getLimits() {
            return limits;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public boolean isRelativeurls() {
            return relativeurls;
        }

        public void setRelativeurls(boolean relativeurls) {
            this.relativeurls = relativeurls;
        }
    }

    /** {@code berth.catalog}. */
    public static class Catalog {
        /** The most repositories one catalog page holds. */
        private int maxentries = 1000;

        public int getMaxentries() {
            return maxentries;
        }

        public void setMaxentries(int maxentries) {
            this.maxentries = maxentries;
        }
    }

    /**
     * {@code berth.access}: who may pull, push and delete where, as the server's {@code access} section. Without
     * rules, every authenticated user may do everything and anonymous callers nothing (with {@code berth.auth}); with
     * no authentication at all, everyone may do everything.
     */
    public static class Access {
        /** Groups of users, by group name, for rules that name {@code group:NAME}. */
        private Map<String, List<String>> groups = new LinkedHashMap<>();
        /** The rules; what a caller may do is the union of every rule that matches. */
        private List<Rule> rules = new ArrayList<>();

        public Map<String, List<String>> getGroups() {
            return groups;
        }

        public void setGroups(Map<String, List<String>> groups) {
            this.groups = groups;
        }

        public List<Rule> getRules() {
            return rules;
        }

        public void setRules(List<Rule> rules) {
            this.rules = rules;
        }

        /** Whether any rule or group is set. */
        boolean configured() {
            return !rules.isEmpty() || !groups.isEmpty();
        }

        /** The section as the server's YAML gives it to {@code AccessRules.parse}. */
        Map<String, Object> asSection() {
            Map<String, Object> section = new LinkedHashMap<>();
            if (!groups.isEmpty()) {
                section.put("groups", groups);
            }
            List<Map<String, Object>> list = new ArrayList<>();
            for (Rule r : rules) {
                Map<String, Object> rule = new LinkedHashMap<>();
                putIfSet(rule, "repositories", r.getRepositories());
                putIfSet(rule, "who", r.getWho());
                putIfSet(rule, "allow", r.getAllow());
                list.add(rule);
            }
            section.put("rules", list);
            return section;
        }

        private static void putIfSet(Map<String, Object> rule, String key, List<String> value) {
            if (value != null && !value.isEmpty()) {
                rule.put(key, value);
            }
        }
    }

    /** One access rule: {@code repositories} globs, {@code who} it is for, and what it {@code allow}s. */
    public static class Rule {
        /** Repository globs: * within one path component, ** across components, ${user} the caller's name. */
        private List<String> repositories = new ArrayList<>();
        /** everyone, authenticated, anonymous, group:NAME or a user name. */
        private List<String> who = new ArrayList<>();
        /** pull, push, delete. */
        private List<String> allow = new ArrayList<>();

        public List<String> getRepositories() {
            return repositories;
        }

        public void setRepositories(List<String> repositories) {
            this.repositories = repositories;
        }

        public List<String> getWho() {
            return who;
        }

        public void setWho(List<String> who) {
            this.who = who;
        }

        public List<String> getAllow() {
            return allow;
        }

        public void setAllow(List<String> allow) {
            this.allow = allow;
        }
    }

    /**
     * {@code berth.proxy}: pull-through upstreams, as the server's {@code proxy} section: distribution's single
     * upstream for every repository ({@code remoteurl}, {@code username}, {@code password}, {@code ttl}) and Berth's
     * {@code upstreams}, each for the repositories under its {@code prefix}.
     */
    public static class Proxy extends UpstreamSettings {
        /** Upstreams by repository prefix: repositories under prefix/ are pulled through from that upstream. */
        private List<PrefixedUpstream> upstreams = new ArrayList<>();

        public List<PrefixedUpstream> getUpstreams() {
            return upstreams;
        }

        public void setUpstreams(List<PrefixedUpstream> upstreams) {
            this.upstreams = upstreams;
        }
    }

    /** The keys every upstream has. */
    public static class UpstreamSettings {
        /** The upstream registry's URL, e.g. https://registry-1.docker.io; set, every repository is pulled through. */
        private String remoteurl;
        /** The user at the upstream (Basic, or for its token server); goes with password. */
        private String username;
        /** The password or token that goes with username. */
        private String password;
        /** How long a tag fetched from the upstream is served before it is asked again (168h, as distribution). */
        @ConfigDuration
        private Duration ttl = Duration.ofHours(168);

        public String getRemoteurl() {
            return remoteurl;
        }

        public void setRemoteurl(String remoteurl) {
            this.remoteurl = remoteurl;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }
    }

    /** One of {@code berth.proxy.upstreams}: an upstream for the repositories under {@code prefix}. */
    public static class PrefixedUpstream extends UpstreamSettings {
        /** The local repository prefix, e.g. docker.io: docker.io/library/alpine here is library/alpine there. */
        private String prefix;

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }
    }

    /** {@code berth.notifications}: webhook endpoints that the registry's events are posted to. */
    public static class Notifications {
        /** The endpoints; each gets every event (push, pull, delete, mount) it does not ignore. */
        private List<NotificationEndpoint> endpoints = new ArrayList<>();
        private final Events events = new Events();

        public List<NotificationEndpoint> getEndpoints() {
            return endpoints;
        }

        public void setEndpoints(List<NotificationEndpoint> endpoints) {
            this.endpoints = endpoints;
        }

        public Events getEvents() {
            return events;
        }
    }

    /** {@code berth.notifications.events}. */
    public static class Events {
        /** Whether manifest events carry the descriptors the manifest references. */
        private boolean includereferences;

        public boolean isIncludereferences() {
            return includereferences;
        }

        public void setIncludereferences(boolean includereferences) {
            this.includereferences = includereferences;
        }
    }

    /** One of {@code berth.notifications.endpoints}, as distribution's {@code notifications.endpoints[]}. */
    public static class NotificationEndpoint {
        /** Names the endpoint in logs and metrics (default endpoint-N); unique. */
        private String name;
        /** Configured but not started. */
        private boolean disabled;
        /** Where event envelopes are POSTed (http or https). */
        private String url;
        /** Headers sent with every POST (e.g. Authorization); their values are never logged. */
        private Map<String, List<String>> headers = new LinkedHashMap<>();
        /** For connecting and for the response to arrive (1s; 0 takes the default). */
        @ConfigDuration
        private Duration timeout = Duration.ofSeconds(1);
        /** Consecutive failures after which every further attempt waits backoff (10; 0 takes the default). */
        private int threshold = 10;
        /** The wait between attempts once threshold is reached (1s; 0 takes the default). */
        @ConfigDuration
        private Duration backoff = Duration.ofSeconds(1);
        /** Events whose target has one of these media types are not sent. */
        private List<String> ignoredmediatypes = new ArrayList<>();
        private final Ignore ignore = new Ignore();
        /** The most events waiting for delivery; past it the oldest are dropped (10000). */
        private int queuesize = 10_000;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public boolean isDisabled() {
            return disabled;
        }

        public void setDisabled(boolean disabled) {
            this.disabled = disabled;
        }

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public Map<String, List<String>> getHeaders() {
            return headers;
        }

        public void setHeaders(Map<String, List<String>> headers) {
            this.headers = headers;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public int getThreshold() {
            return threshold;
        }

        public void setThreshold(int threshold) {
            this.threshold = threshold;
        }

        public Duration getBackoff() {
            return backoff;
        }

        public void setBackoff(Duration backoff) {
            this.backoff = backoff;
        }

        public List<String> getIgnoredmediatypes() {
            return ignoredmediatypes;
        }

        public void setIgnoredmediatypes(List<String> ignoredmediatypes) {
            this.ignoredmediatypes = ignoredmediatypes;
        }

        public Ignore getIgnore() {
            return ignore;
        }

        public int getQueuesize() {
            return queuesize;
        }

        public void setQueuesize(int queuesize) {
            this.queuesize = queuesize;
        }
    }

    /** {@code berth.notifications.endpoints[i].ignore}: events an endpoint is not sent. */
    public static class Ignore {
        /** Target media types whose events are not sent (with ignoredmediatypes). */
        private List<String> mediatypes = new ArrayList<>();
        /** Actions whose events are not sent: push, pull, delete, mount. */
        private List<String> actions = new ArrayList<>();

        public List<String> getMediatypes() {
            return mediatypes;
        }

        public void setMediatypes(List<String> mediatypes) {
            this.mediatypes = mediatypes;
        }

        public List<String> getActions() {
            return actions;
        }

        public void setActions(List<String> actions) {
            this.actions = actions;
        }
    }

    /**
     * {@code berth.http.limits}: how slow a client may be, as the server's {@code http.limits} for what the registry's
     * servlet enforces itself. The connection limits of the server's section belong to the application's server
     * here ({@code server.tomcat.*}, {@code server.jetty.*}) and are refused.
     */
    public static class Limits {
        /** Uploads slower than this many bytes per second over a rategrace window are cut off (0: no limit). */
        private long minrequestrate = 1024;
        /** Downloads slower than this many bytes per second over a rategrace window are cut off (0: no limit). */
        private long minresponserate = 1024;
        /** The window the minimum rates are averaged over. */
        @ConfigDuration
        private Duration rategrace = Duration.ofSeconds(30);
        /** How long a small body (a manifest, a token request's form) may take to arrive. */
        @ConfigDuration
        private Duration bodytimeout = Duration.ofSeconds(30);
        /** Not here: the application's server's (e.g. server.tomcat.connection-timeout / keep-alive-timeout). */
        @ConfigDuration
        private Duration idletimeout;
        /** Not here: the application's server's (e.g. server.tomcat.connection-timeout). */
        @ConfigDuration
        private Duration headertimeout;
        /** Not here: the application's server's (e.g. server.tomcat.max-connections). */
        private Integer maxconnections;
        /** Not here: a servlet sees requests, not connections; limit them in front of the application. */
        private Integer maxconnectionsperclient;

        public long getMinrequestrate() {
            return minrequestrate;
        }

        public void setMinrequestrate(long minrequestrate) {
            this.minrequestrate = minrequestrate;
        }

        public long getMinresponserate() {
            return minresponserate;
        }

        public void setMinresponserate(long minresponserate) {
            this.minresponserate = minresponserate;
        }

        public Duration getRategrace() {
            return rategrace;
        }

        public void setRategrace(Duration rategrace) {
            this.rategrace = rategrace;
        }

        public Duration getBodytimeout() {
            return bodytimeout;
        }

        public void setBodytimeout(Duration bodytimeout) {
            this.bodytimeout = bodytimeout;
        }

        public Duration getIdletimeout() {
            return idletimeout;
        }

        public void setIdletimeout(Duration idletimeout) {
            this.idletimeout = idletimeout;
        }

        public Duration getHeadertimeout() {
            return headertimeout;
        }

        public void setHeadertimeout(Duration headertimeout) {
            this.headertimeout = headertimeout;
        }

        public Integer getMaxconnections() {
            return maxconnections;
        }

        public void setMaxconnections(Integer maxconnections) {
            this.maxconnections = maxconnections;
        }

        public Integer getMaxconnectionsperclient() {
            return maxconnectionsperclient;
        }

        public void setMaxconnectionsperclient(Integer maxconnectionsperclient) {
            this.maxconnectionsperclient = maxconnectionsperclient;
        }
    }
}
