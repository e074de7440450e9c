package dev.berth.server.config;

import dev.berth.registry.policy.ImmutableTags;
import java.util.ArrayList;
import java.util.List;

/** Berth's {@code tags} section: immutable tags. */
final class TagsBinder {
    private TagsBinder() {
    }

    /**
     * Berth's {@code tags} section: {@code immutable}, a list of {@code repositories} and {@code tags} globs. The tag
     * limits some registries configure here ({@code maxtags}) are warned about and ignored.
     */
    static ImmutableTags bind(Section s) {
        if (s.has("maxtags")) {
            s.warn(s.key("maxtags") + ": tag limits are not available yet; ignored");
        }
        s.readAll("maxtags");
        List<ImmutableTags.Rule> rules = new ArrayList<>();
        for (Section rule : s.sections("immutable")) {
            rule.onlyKeys("repositories", "tags");
            List<String> repositories = rule.patterns("repositories");
            List<String> tags = rule.patterns("tags");
            rules.add(new ImmutableTags.Rule(repositories, tags));
        }
        return ImmutableTags.of(rules);
    }
}
