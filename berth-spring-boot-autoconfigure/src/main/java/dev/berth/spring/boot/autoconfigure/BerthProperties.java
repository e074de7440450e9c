package dev.berth.spring.boot.autoconfigure;

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
 */
@ConfigurationProperties(prefix = "berth")
public class BerthProperties {
    /** Whether the starter builds a registry and serves it at /v2/. */
    private boolean enabled = true;

    private final Storage storage = new Storage();
    private final Http http = new Http();
    private final Catalog catalog = new Catalog();
    private final Access access = new Access();

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
}
