package dev.berth.server.config;

import dev.berth.registry.RetentionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Berth's {@code retention} section: which tags to keep, and how often to apply it. */
final class RetentionBinder {
    private RetentionBinder() {
    }

    /**
     * Berth's {@code retention} section: {@code interval} (0 or absent: only the {@code retention} command applies
     * the policies), {@code dryrun}, and {@code policies}, each {@code repositories} globs with {@code keeplast}
     * and/or {@code keeptags}.
     */
    static ServerConfig.Retention bind(Section s, ServerConfig.Storage storage) {
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
            List<String> repositories = p.patterns("repositories");
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
}
