package dev.berth.registry.auth;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.internal.glob.Glob;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Per-repository access rules: who may pull, push and delete where. Written in the config as
 *
 * <pre>{@code
 * access:
 *   groups:
 *     developers: [alice, bob]
 *   rules:
 *     - repositories: ["**"]              # every repository
 *       who: [everyone]                   # anonymous callers too
 *       allow: [pull]
 *     - repositories: ["team/**"]
 *       who: ["group:developers"]
 *       allow: [pull, push]
 *     - repositories: ["${user}/**"]      # a personal namespace per user
 *       who: [authenticated]
 *       allow: [pull, push, delete]
 *     - repositories: ["**"]
 *       who: [admin]
 *       allow: [pull, push, delete]
 * }</pre>
 *
 * <p><b>Evaluation.</b> What a caller may do on a repository is the union of the {@code allow} lists of every rule
 * whose {@code repositories} and {@code who} both match; when no rule matches, nothing is allowed (default deny).
 * The order of the rules therefore does not matter, and adding a rule can only grant, never take away.
 *
 * <p><b>Repositories</b> are globs over the repository name: {@code *} matches within one path component (no
 * {@code /}), {@code **} matches across components (including none: {@code team/**} matches {@code team},
 * {@code team/a} and {@code team/a/b}, and {@code **} matches every name), {@code ?} one character other than {@code /}; and
 * {@code ${user}} stands for the caller's user name (such a rule never matches an anonymous caller).
 *
 * <p><b>Who</b>: {@code everyone} (anonymous callers included), {@code authenticated}, {@code anonymous},
 * {@code group:NAME} (a group of the {@code groups} section, or one the authenticator reports), {@code user:NAME},
 * or a plain user name. Each entry is of one kind: {@code group:dev} only ever matches members of {@code dev}, and a
 * keyword never matches a user who happens to have its name.
 *
 * <p>The catalog lists the repositories the caller may pull. An anonymous caller may list it only when some rule
 * lets anonymous callers pull somewhere.
 */
public final class AccessRules implements AccessController {
    private final Map<String, Set<String>> groupsByUser;
    private final List<Rule> rules;
    private final boolean anonymousMayPullSomewhere;

    private AccessRules(Map<String, Set<String>> groupsByUser, List<Rule> rules) {
        this.groupsByUser = groupsByUser;
        this.rules = List.copyOf(rules);
        // A personal pattern never matches an anonymous caller, but a fixed pattern of the same rule does.
        this.anonymousMayPullSomewhere = rules.stream().anyMatch(r -> r.matchesAnonymous()
                && r.allow.contains(Action.PULL) && r.hasFixedPattern());
    }

    /**
     * Reads the {@code access} section (as YAML gives it: maps, lists, strings).
     *
     * @throws IllegalArgumentException naming the key that is wrong
     */
    public static AccessRules parse(Map<String, ?> section) {
        Map<String, Set<String>> groupsByUser = new LinkedHashMap<>();
        Set<String> groupNames = new LinkedHashSet<>();
        Parameters.of("access", section).rejectUnknown("groups", "rules");
        Object groups = section.get("groups");
        if (groups != null) {
            if (!(groups instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("access.groups: expected a map of group name to user names");
            }
            for (Map.Entry<?, ?> g : map.entrySet()) {
                String group = String.valueOf(g.getKey());
                groupNames.add(group);
                for (String user : strings(g.getValue(), "access.groups." + group)) {
                    groupsByUser.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(group);
                }
            }
        }
        Object rulesValue = section.get("rules");
        if (!(rulesValue instanceof List<?> list)) {
            throw new IllegalArgumentException("access.rules: expected a list of rules"
                    + (rulesValue == null ? " (the key is missing)" : ""));
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String key = "access.rules[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> rule)) {
                throw new IllegalArgumentException(key + ": expected a map with repositories, who and allow");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> ruleSection = (Map<String, ?>) rule;
            Parameters.of(key, ruleSection).rejectUnknown("repositories", "who", "allow");
            List<String> repos = strings(require(rule, "repositories", key), key + ".repositories");
            List<String> who = strings(require(rule, "who", key), key + ".who");
            Set<Action> allow = EnumSet.noneOf(Action.class);
            for (String a : strings(require(rule, "allow", key), key + ".allow")) {
                try {
                    allow.add(Action.parse(a.toLowerCase(Locale.ROOT)));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(key + ".allow: " + Failures.describe(ex));
                }
            }
            for (String w : who) {
                if (w.isBlank() || w.equals("group:") || w.equals("user:")) {
                    throw new IllegalArgumentException(key + ".who: an empty principal");
                }
            }
            rules.add(new Rule(repos, who, allow, key));
        }
        return new AccessRules(groupsByUser, rules);
    }

    private static Object require(Map<?, ?> map, String name, String key) {
        Object v = map.get(name);
        if (v == null) {
            throw new IllegalArgumentException(key + "." + name + ": missing");
        }
        return v;
    }

    private static List<String> strings(Object value, String key) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (!(value instanceof Collection<?> c)) {
            throw new IllegalArgumentException(key + ": expected a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object o : c) {
            if (!(o instanceof String s)) {
                throw new IllegalArgumentException(key + ": expected strings, found " + o);
            }
            out.add(s);
        }
        return out;
    }

    /** The actions {@code principal} (null for anonymous) may do on {@code repository}. */
    public Set<Action> allowed(Principal principal, RepositoryName repository) {
        Set<Action> out = EnumSet.noneOf(Action.class);
        for (Rule r : rules) {
            if (!out.containsAll(r.allow) && r.matches(principal, repository, groupsOf(principal))) {
                out.addAll(r.allow);
            }
        }
        return out;
    }

    @Override
    public boolean permits(Principal principal, RepositoryName repository, Action action) {
        return allowed(principal, repository).contains(action);
    }

    @Override
    public boolean permitsCatalog(Principal principal) {
        return principal != null || anonymousMayPullSomewhere;
    }

    private Set<String> groupsOf(Principal p) {
        if (p == null) {
            return Set.of();
        }
        Set<String> configured = groupsByUser.getOrDefault(p.name(), Set.of());
        if (p.groups().isEmpty()) {
            return configured;
        }
        Set<String> all = new LinkedHashSet<>(configured);
        all.addAll(p.groups());
        return all;
    }

    @Override
    public String toString() {
        return "AccessRules[" + rules.size() + " rules]";
    }

    private static final class Rule {
        private final List<String> patterns;
        private final List<Pattern> fixed;
        private final boolean everyone;
        private final boolean anonymous;
        private final boolean authenticated;
        /** From {@code user:NAME} and plain names. */
        private final Set<String> users;
        /** From {@code group:NAME}. */
        private final Set<String> groups;
        private final Set<Action> allow;

        Rule(List<String> patterns, List<String> who, Set<Action> allow, String key) {
            this.patterns = List.copyOf(patterns);
            this.allow = Set.copyOf(allow);
            // Each entry is of one kind only: "group:dev" names a group and is never compared with a user name, and
            // a keyword is never a user name, so a user called "group:dev" or "anonymous" gains nothing from them.
            Set<String> userNames = new LinkedHashSet<>();
            Set<String> groupNames = new LinkedHashSet<>();
            boolean all = false;
            boolean anon = false;
            boolean auth = false;
            for (String w : who) {
                switch (w) {
                    case "everyone" -> all = true;
                    case "anonymous" -> anon = true;
                    case "authenticated" -> auth = true;
                    default -> {
                        if (w.startsWith("group:")) {
                            groupNames.add(w.substring(6));
                        } else if (w.startsWith("user:")) {
                            userNames.add(w.substring(5));
                        } else {
                            userNames.add(w);
                        }
                    }
                }
            }
            this.everyone = all;
            this.anonymous = anon;
            this.authenticated = auth;
            this.users = Set.copyOf(userNames);
            this.groups = Set.copyOf(groupNames);
            List<Pattern> compiled = new ArrayList<>();
            for (String p : patterns) {
                if (p.isEmpty()) {
                    throw new IllegalArgumentException(key + ".repositories: an empty pattern");
                }
                compiled.add(p.contains("${user}") ? null : glob(p, null));
            }
            this.fixed = compiled;
        }

        boolean matchesAnonymous() {
            return everyone || anonymous;
        }

        boolean hasFixedPattern() {
            return fixed.stream().anyMatch(Objects::nonNull);
        }

        boolean matches(Principal p, RepositoryName repository, Set<String> groups) {
            if (!matchesWho(p, groups)) {
                return false;
            }
            for (int i = 0; i < patterns.size(); i++) {
                Pattern compiled = fixed.get(i);
                if (compiled == null) {
                    if (p == null) {
                        continue;
                    }
                    compiled = glob(patterns.get(i), p.name());
                }
                if (compiled.matcher(repository.value()).matches()) {
                    return true;
                }
            }
            return false;
        }

        private boolean matchesWho(Principal p, Set<String> callerGroups) {
            if (everyone) {
                return true;
            }
            if (p == null) {
                return anonymous;
            }
            if (authenticated || users.contains(p.name())) {
                return true;
            }
            for (String g : callerGroups) {
                if (groups.contains(g)) {
                    return true;
                }
            }
            return false;
        }

        /** A glob as a regex; {@code user} replaces {@code ${user}} literally (quoted). */
        static Pattern glob(String glob, String user) {
            return Glob.compile(glob, user);
        }
    }
}
