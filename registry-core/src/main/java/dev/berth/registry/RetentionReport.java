package dev.berth.registry;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.time.Instant;
import java.util.List;

/**
 * What one run of {@link Retention} kept and deleted (or, in a dry run, would have deleted), per repository that a
 * policy applies to, in catalog order.
 *
 * @param dryRun       whether nothing was deleted
 * @param repositories one entry per repository that some policy applies to
 */
public record RetentionReport(boolean dryRun, List<RepositoryReport> repositories) {
    public RetentionReport {
        repositories = List.copyOf(repositories);
    }

    /** How many tags were (or would be) deleted in all. */
    public int deletedCount() {
        return repositories.stream().mapToInt(r -> r.deleted().size()).sum();
    }

    /** How many tags were kept in all. */
    public int keptCount() {
        return repositories.stream().mapToInt(r -> r.kept().size()).sum();
    }

    /**
     * One repository: its tags kept and deleted, each list newest push first.
     */
    public record RepositoryReport(RepositoryName repository, List<TagEntry> kept, List<TagEntry> deleted) {
        public RepositoryReport {
            kept = List.copyOf(kept);
            deleted = List.copyOf(deleted);
        }
    }

    /**
     * One tag: the digest it pointed at, when it was pushed (the modification time of its current link;
     * {@link Instant#EPOCH} when storage does not know), and why it was kept or deleted.
     */
    public record TagEntry(Tag tag, Digest digest, Instant pushed, String reason) {
    }
}
