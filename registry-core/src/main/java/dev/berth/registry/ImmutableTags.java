package dev.berth.registry;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.glob.Glob;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Which tags may never move or go away once pushed: a list of rules, each a set of repository globs and a set of tag
 * globs ({@code *}, {@code **}, {@code ?}, as in the access rules). A tag is immutable when some rule matches both its
 * repository and its name; the order of the rules does not matter.
 *
 * <p>For an immutable tag the registry refuses, with {@link ErrorCode#DENIED} and without writing anything: a manifest
 * put that would point the tag at another digest (putting the same manifest again is fine, so clients may re-push),
 * deleting the tag, deleting the manifest it points at, and deleting its repository. Retention never deletes it. A
 * new tag that matches a rule is created as usual: immutability starts with the first push (two pushes racing to
 * create the same new tag are not ordered by the registry; the last write wins, as for any tag). Thread-safe
 * (immutable).
 *
 * <pre>{@code
 * Registry.builder().immutableTags(ImmutableTags.of(
 *         new ImmutableTags.Rule(List.of("prod/**"), List.of("v*", "release-*"))))
 * }</pre>
 */
public final class ImmutableTags {
    /** No tag is immutable (the default). */
    public static final ImmutableTags NONE = new ImmutableTags(List.of());

    private final List<Rule> rules;
    private final List<Compiled> compiled;

    private ImmutableTags(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.compiled = this.rules.stream().map(Compiled::of).toList();
    }

    public static ImmutableTags of(Collection<Rule> rules) {
        return rules.isEmpty() ? NONE : new ImmutableTags(new ArrayList<>(rules));
    }

    public static ImmutableTags of(Rule... rules) {
        return of(List.of(rules));
    }

    public List<Rule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether {@code tag} of {@code repository} is immutable. */
    public boolean isImmutable(RepositoryName repository, Tag tag) {
        for (Compiled r : compiled) {
            if (r.matches(repository, tag)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any tag of {@code repository} can be immutable (some rule matches the repository). */
    public boolean coversRepository(RepositoryName repository) {
        for (Compiled r : compiled) {
            if (r.matchesRepository(repository)) {
                return true;
            }
        }
        return false;
    }

    /** The DENIED error for changing an immutable tag; {@code doing} says what was refused. */
    public static RegistryException denied(RepositoryName repository, Tag tag, String doing) {
        return new RegistryException(ErrorCode.DENIED, "tag " + tag + " is immutable in repository " + repository
                + ": " + doing + " is not allowed");
    }

    @Override
    public String toString() {
        return "ImmutableTags" + rules;
    }

    /**
     * One rule: the tags matching one of {@code tags} in the repositories matching one of {@code repositories}.
     * IllegalArgumentException when either list is empty or holds an empty pattern.
     */
    public record Rule(List<String> repositories, List<String> tags) {
        public Rule {
            repositories = List.copyOf(Objects.requireNonNull(repositories, "repositories"));
            tags = List.copyOf(Objects.requireNonNull(tags, "tags"));
            if (repositories.isEmpty()) {
                throw new IllegalArgumentException("repositories: at least one pattern is needed");
            }
            if (tags.isEmpty()) {
                throw new IllegalArgumentException("tags: at least one pattern is needed");
            }
            Compiled.of(repositories, tags); // refuses empty patterns now, not at the first push
        }
    }

    /** A rule's globs, compiled once. */
    private record Compiled(List<Glob> repositories, List<Glob> tags) {
        static Compiled of(Rule r) {
            return of(r.repositories(), r.tags());
        }

        static Compiled of(List<String> repositories, List<String> tags) {
            return new Compiled(globs(repositories, "repositories"), globs(tags, "tags"));
        }

        private static List<Glob> globs(List<String> patterns, String what) {
            List<Glob> out = new ArrayList<>();
            for (String p : patterns) {
                if (p == null || p.isEmpty()) {
                    throw new IllegalArgumentException(what + ": an empty pattern");
                }
                out.add(Glob.of(p));
            }
            return out;
        }

        boolean matchesRepository(RepositoryName repository) {
            return repositories.stream().anyMatch(g -> g.matches(repository.value()));
        }

        boolean matches(RepositoryName repository, Tag tag) {
            return matchesRepository(repository) && tags.stream().anyMatch(g -> g.matches(tag.value()));
        }
    }
}
