package dev.berth.registry.spi.auth;

import dev.berth.registry.model.RepositoryName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One resource and the actions wanted or granted on it, in the Docker token specification's form
 * {@code type:name:action[,action...]}: {@code repository:team/app:pull,push} or {@code registry:catalog:*}. A
 * repository name may contain colons only in a host:port prefix, so the name is everything between the first and the
 * last colon.
 */
public record Scope(String type, String name, Set<String> actions) {
    public static final String REPOSITORY = "repository";
    /** The catalog, as distribution names it: {@code registry:catalog:*}. */
    public static final Scope CATALOG = new Scope("registry", "catalog", Set.of("*"));

    public Scope {
        if (type == null || type.isEmpty() || type.contains(":") || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a scope needs a type and a name: " + type + ":" + name);
        }
        actions = Set.copyOf(new LinkedHashSet<>(actions));
    }

    public static Scope repository(RepositoryName repository, Collection<Action> actions) {
        Set<String> words = new LinkedHashSet<>();
        for (Action a : Action.values()) { // canonical order: pull,push,delete
            if (actions.contains(a)) {
                words.add(a.word());
            }
        }
        return new Scope(REPOSITORY, repository.value(), words);
    }

    /** Parses {@code type:name:actions}; an empty action list is allowed (a request for nothing). */
    public static Scope parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last <= first + 1) {
            throw new IllegalArgumentException("not a scope (type:name:actions): '" + text + "'");
        }
        Set<String> actions = new LinkedHashSet<>();
        for (String a : text.substring(last + 1).split(",")) {
            if (!a.isEmpty()) {
                actions.add(a);
            }
        }
        return new Scope(text.substring(0, first), text.substring(first + 1, last), actions);
    }

    /** Parses a space-separated list, as several {@code scope} parameters are sometimes joined. */
    public static List<Scope> parseAll(String text) {
        List<Scope> out = new ArrayList<>();
        for (String s : text.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(parse(s));
            }
        }
        return out;
    }

    public boolean isRepository() {
        return REPOSITORY.equals(type);
    }

    /** Whether this scope grants {@code action} on {@code repository} ({@code *} grants every action). */
    public boolean grants(RepositoryName repository, Action action) {
        return isRepository() && name.equals(repository.value())
                && (actions.contains(action.word()) || actions.contains("*"));
    }

    @Override
    public String toString() {
        List<String> ordered = new ArrayList<>();
        for (Action a : Action.values()) {
            if (actions.contains(a.word())) {
                ordered.add(a.word());
            }
        }
        actions.stream().filter(a -> !ordered.contains(a)).sorted().forEach(ordered::add);
        return type + ":" + name + ":" + String.join(",", ordered);
    }
}
