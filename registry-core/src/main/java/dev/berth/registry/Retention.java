package dev.berth.registry;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.storage.FileInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes old tags by {@link RetentionPolicy retention policies}. For each repository that one or more policies apply
 * to, a tag is deleted only when <em>no</em> applicable policy keeps it: the kept tags are the union of every
 * policy's keeps, so the order of the policies does not matter and adding one can only keep more. Tags of
 * repositories no policy applies to are never touched, and immutable tags ({@link ImmutableTags}) are never deleted
 * (they still count among the most recent for {@code keepLast}).
 *
 * <p>A tag's push time is the modification time of its {@code _manifests/tags/<tag>/current/link}, which every push
 * of the tag rewrites; ties are broken by tag name, so a run is deterministic. Only tags are deleted: the manifests
 * they pointed at stay in the repository (by digest) until garbage collection with delete-untagged removes untagged
 * manifests and frees their blobs. A tag moved by a push during the run is left alone. Each tag deleted is reported to
 * the registry's {@link Registry.Builder#events event listener} as a tag delete, all those of one run in one
 * {@link RequestContext#local() local context}.
 *
 * <pre>{@code
 * Retention retention = Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 10, List.of("latest", "v*"))));
 * RetentionReport wouldDo = retention.dryRun(registry);
 * RetentionReport done = retention.apply(registry);
 * }</pre>
 *
 * Thread-safe (immutable); a run reads the catalog once and then works repository by repository.
 */
public final class Retention {
    private final List<RetentionPolicy> policies;

    private Retention(List<RetentionPolicy> policies) {
        this.policies = List.copyOf(policies);
    }

    public static Retention of(Collection<RetentionPolicy> policies) {
        return new Retention(new ArrayList<>(policies));
    }

    public List<RetentionPolicy> policies() {
        return policies;
    }

    /**
     * Deletes the tags no policy keeps, and reports what it kept and deleted.
     *
     * @throws RegistryException UNSUPPORTED, before anything is deleted, when deletes are disabled on the registry
     */
    public RetentionReport apply(Registry registry) {
        registry.store().checkDeletesEnabled();
        return run(registry, false);
    }

    /** The report {@link #apply} would give now, deleting nothing. */
    public RetentionReport dryRun(Registry registry) {
        return run(registry, true);
    }

    private RetentionReport run(Registry registry, boolean dryRun) {
        List<RetentionReport.RepositoryReport> reports = new ArrayList<>();
        if (policies.isEmpty()) {
            return new RetentionReport(dryRun, reports);
        }
        RequestContext context = RequestContext.local();
        for (RepositoryName name : registry.catalog()) {
            List<RetentionPolicy> applicable = policies.stream().filter(p -> p.appliesTo(name)).toList();
            if (!applicable.isEmpty()) {
                reports.add(repository(registry, registry.repository(name, context), applicable, dryRun));
            }
        }
        return new RetentionReport(dryRun, reports);
    }

    private record Candidate(Tag tag, Digest digest, Instant pushed) {
    }

    private RetentionReport.RepositoryReport repository(Registry registry, Repository repository,
            List<RetentionPolicy> applicable, boolean dryRun) {
        Store store = registry.store();
        RepositoryName name = repository.name();
        List<Candidate> candidates = new ArrayList<>();
        List<Tag> tags;
        try {
            tags = repository.tags().list();
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.NAME_UNKNOWN) {
                return new RetentionReport.RepositoryReport(name, List.of(), List.of()); // deleted meanwhile
            }
            throw e;
        }
        for (Tag tag : tags) {
            Optional<Digest> digest = repository.tags().get(tag);
            if (digest.isEmpty()) {
                continue; // deleted meanwhile, or a damaged link: nothing to decide
            }
            Instant pushed = store.stat(Layout.tagCurrentLink(name, tag)).map(FileInfo::modTime).orElse(Instant.EPOCH);
            candidates.add(new Candidate(tag, digest.get(), pushed));
        }
        candidates.sort(Comparator.comparing(Candidate::pushed).reversed().thenComparing(Candidate::tag));

        // Why each kept tag is kept: the first reason found, immutability first.
        Map<Tag, String> keptBecause = new LinkedHashMap<>();
        ImmutableTags immutable = store.immutableTags();
        for (Candidate c : candidates) {
            if (immutable.isImmutable(name, c.tag())) {
                keptBecause.put(c.tag(), "immutable");
            }
        }
        for (RetentionPolicy policy : applicable) {
            for (int i = 0; i < candidates.size(); i++) {
                Candidate c = candidates.get(i);
                if (i < policy.keepLast()) {
                    keptBecause.putIfAbsent(c.tag(), "among the last " + policy.keepLast() + " pushed");
                }
                String pattern = policy.keptPattern(c.tag());
                if (pattern != null) {
                    keptBecause.putIfAbsent(c.tag(), "matches " + pattern);
                }
            }
        }
        List<RetentionReport.TagEntry> kept = new ArrayList<>();
        List<RetentionReport.TagEntry> deleted = new ArrayList<>();
        for (Candidate c : candidates) {
            String reason = keptBecause.get(c.tag());
            if (reason != null) {
                kept.add(new RetentionReport.TagEntry(c.tag(), c.digest(), c.pushed(), reason));
                continue;
            }
            if (!dryRun) {
                // A push between the scan and now makes the tag recent: leave it for the next run.
                Optional<Digest> now = repository.tags().get(c.tag());
                if (now.isEmpty()) {
                    continue;
                }
                if (!now.get().equals(c.digest())) {
                    kept.add(new RetentionReport.TagEntry(c.tag(), now.get(), c.pushed(), "moved during the run"));
                    continue;
                }
                try {
                    repository.tags().delete(c.tag());
                } catch (RegistryException e) {
                    if (e.code() == ErrorCode.MANIFEST_UNKNOWN) {
                        continue; // deleted by someone else meanwhile
                    }
                    throw e;
                }
            }
            deleted.add(new RetentionReport.TagEntry(c.tag(), c.digest(), c.pushed(), "kept by no policy"));
        }
        return new RetentionReport.RepositoryReport(name, kept, deleted);
    }
}
