package dev.berth.registry;

import dev.berth.registry.internal.glob.Glob;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.util.List;
import java.util.Objects;

/**
 * One retention policy: in the repositories matching one of {@code repositories} (globs: {@code *}, {@code **},
 * {@code ?}, as in the access rules), keep the {@code keepLast} most recently pushed tags and every tag matching one
 * of {@code keepTags}. What a policy does not keep it does not delete by itself: see {@link Retention} for how
 * several policies combine. A policy must keep something ({@code keepLast} at least 1, or some {@code keepTags}),
 * so that a policy with a forgotten key cannot empty a repository.
 *
 * @param repositories the repository globs, at least one
 * @param keepLast     how many of the most recently pushed tags to keep; 0 keeps none by count
 * @param keepTags     tag globs of tags to keep whatever their age
 */
public record RetentionPolicy(List<String> repositories, int keepLast, List<String> keepTags) {
    public RetentionPolicy {
        repositories = List.copyOf(Objects.requireNonNull(repositories, "repositories"));
        keepTags = List.copyOf(Objects.requireNonNull(keepTags, "keepTags"));
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("repositories: at least one pattern is needed");
        }
        for (String p : repositories) {
            if (p == null || p.isEmpty()) {
                throw new IllegalArgumentException("repositories: an empty pattern");
            }
        }
        for (String p : keepTags) {
            if (p == null || p.isEmpty()) {
                throw new IllegalArgumentException("keepTags: an empty pattern");
            }
        }
        if (keepLast < 0) {
            throw new IllegalArgumentException("keepLast must not be negative: " + keepLast);
        }
        if (keepLast == 0 && keepTags.isEmpty()) {
            throw new IllegalArgumentException("a policy must keep something: keepLast of at least 1, or keepTags");
        }
    }

    /** Whether the policy applies to {@code repository}. */
    public boolean appliesTo(RepositoryName repository) {
        return repositories.stream().anyMatch(p -> Glob.of(p).matches(repository.value()));
    }

    /** The first of {@code keepTags} that {@code tag} matches, or null. */
    String keptPattern(Tag tag) {
        for (String p : keepTags) {
            if (Glob.of(p).matches(tag.value())) {
                return p;
            }
        }
        return null;
    }
}
