package dev.berth.registry.internal.gc;

import dev.berth.registry.error.RegistryException;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.internal.store.SweepGuard;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.ImageIndex;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.PathNotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mark and sweep over distribution's layout.
 *
 * <p><b>Mark.</b> One listing of every repository's links (the top-level folders walked in parallel; on S3 a listing
 * returns modification times for free), then, in parallel, every tag's current link and every manifest revision's
 * bytes. Per repository, the manifests kept are all revisions, or with delete-untagged the tagged ones, and always
 * the revisions written within the grace period; then, transitively, the children of a kept index and the manifests
 * whose subject is a kept manifest (signatures, SBOMs, attestations). Every blob a kept manifest references (config,
 * layers, children) and the manifest's own bytes are marked, as is every blob a young repository link points at
 * (an upload or mount of a push whose manifest is not there yet).
 *
 * <p><b>Before the sweep</b> the links are listed once more, and manifests pushed since the first listing are read
 * and kept with what they reference: the window in which a push can race the sweep is the sweep itself, not the
 * whole (long) mark. A manifest that cannot be parsed (schema 1, or damaged) keeps every digest written anywhere in
 * its text. A storage failure anywhere in the mark aborts the collection before anything is deleted.
 *
 * <p><b>Sweep.</b> Untagged manifests (with delete-untagged): their tag history entries, referrers entry and
 * revision link. Then every blob that is not marked and older than the cutoff, with the repository links pointing
 * at it; and old links to blobs that no longer exist.
 */
public final class MarkSweep {
    private static final Logger LOG = LoggerFactory.getLogger(MarkSweep.class);
    private static final Pattern DIGEST_TEXT = Pattern.compile("\\b(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})\\b");

    private final Store store;
    private final GcOptions options;
    private final ExecutorService pool;
    private Instant cutoff;

    private MarkSweep(Store store, GcOptions options, ExecutorService pool) {
        this.store = store;
        this.options = options;
        this.pool = pool;
    }

    /** Runs one collection. */
    public static GcReport run(Store store, GcOptions options) {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), r -> {
            Thread t = new Thread(r, "berth-gc-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            return new MarkSweep(store, options, pool).collect();
        } finally {
            pool.shutdownNow();
        }
    }

    /** What one repository holds, from one listing. */
    private static final class Scan {
        final RepositoryName name;
        final Map<Digest, Instant> revisions = new HashMap<>();
        final List<String> tagLinks = new ArrayList<>();
        final Map<Digest, List<String>> tagHistory = new HashMap<>();
        final Map<Digest, List<String>> referrerEntries = new HashMap<>();
        final Map<Digest, Instant> layers = new HashMap<>();

        Scan(RepositoryName name) {
            this.name = name;
        }
    }

    /** What a manifest references: everything to keep with it, its child manifests, and its subject. */
    private record Refs(Set<Digest> blobs, List<Digest> children, Optional<Digest> subject) {
        static final Refs NONE = new Refs(Set.of(), List.of(), Optional.empty());
    }

    private GcReport collect() {
        long t0 = System.nanoTime();
        cutoff = store.clock().instant().minus(options.gracePeriod());
        SweepGuard guard = store.sweepGuard();
        if (options.dryRun()) {
            return collect(t0, null);
        }
        guard.begin();
        try {
            return collect(t0, guard);
        } finally {
            guard.end();
        }
    }

    private GcReport collect(long t0, SweepGuard guard) {
        Map<RepositoryName, Scan> first = scanAll();
        Map<RepositoryName, Set<Digest>> tagged = readTags(first.values());
        Map<Digest, Refs> refs = new ConcurrentHashMap<>();
        readManifests(first.values(), refs);

        // Pushes went on while the manifests were read: list again and read what is new.
        Map<RepositoryName, Scan> scans = options.dryRun() ? first : scanAll();
        if (scans != first) {
            readManifests(scans.values(), refs);
        }

        Set<Digest> marked = new HashSet<>();
        int manifestsKept = 0;
        List<GcReport.DeletedManifest> doomedManifests = new ArrayList<>();
        for (Scan scan : scans.values()) {
            Set<Digest> kept = keep(scan, tagged.getOrDefault(scan.name, Set.of()), refs);
            manifestsKept += kept.size();
            for (Digest d : kept) {
                marked.add(d);
                marked.addAll(refs.getOrDefault(d, Refs.NONE).blobs());
            }
            scan.layers.forEach((d, modified) -> {
                if (young(modified)) {
                    marked.add(d);
                }
            });
            scan.revisions.keySet().stream().filter(d -> !kept.contains(d)).sorted()
                    .forEach(d -> doomedManifests.add(new GcReport.DeletedManifest(scan.name, d)));
        }
        // A manifest pushed again meanwhile (its writer touched it, and everything it references) stays.
        List<GcReport.DeletedManifest> manifestsDeleted = deleteAll(guard, doomedManifests,
                GcReport.DeletedManifest::digest, m -> deleteManifest(scans.get(m.repository()), m.digest()));
        manifestsKept += doomedManifests.size() - manifestsDeleted.size();

        // The sweep: blobs nobody marked, and the links pointing at them.
        Map<Digest, FileInfo> stored = listBlobs();
        List<GcReport.DeletedBlob> unmarked = new ArrayList<>();
        stored.forEach((d, info) -> {
            if (!marked.contains(d) && !young(info.modTime())) {
                unmarked.add(new GcReport.DeletedBlob(d, info.size()));
            }
        });
        unmarked.sort((a, b) -> a.digest().compareTo(b.digest()));
        List<GcReport.DeletedBlob> blobsDeleted = deleteAll(guard, unmarked, GcReport.DeletedBlob::digest, b -> {
            try {
                store.delete(Layout.blobDir(b.digest()));
            } finally {
                store.cache().invalidateBlob(b.digest());
            }
        });
        Set<Digest> gone = new HashSet<>();
        blobsDeleted.forEach(b -> gone.add(b.digest()));
        List<Map.Entry<RepositoryName, Digest>> dangling = new ArrayList<>();
        for (Scan scan : scans.values()) {
            scan.layers.forEach((d, modified) -> {
                if (!young(modified) && (gone.contains(d) || !stored.containsKey(d))) {
                    dangling.add(Map.entry(scan.name, d));
                }
            });
        }
        List<Map.Entry<RepositoryName, Digest>> linksDeleted = deleteAll(guard, dangling, Map.Entry::getValue,
                link -> {
                    try {
                        store.delete(Layout.layerLinkDir(link.getKey(), link.getValue()));
                    } finally {
                        store.cache().invalidateLink(link.getKey(), link.getValue());
                    }
                });
        int released = guard == null ? 0 : releaseIncompleteWrites();
        GcReport report = new GcReport(options.dryRun(), cutoff, scans.size(), manifestsKept, manifestsDeleted,
                stored.size() - blobsDeleted.size(), blobsDeleted, linksDeleted.size(),
                Duration.ofNanos(System.nanoTime() - t0), released);
        LOG.info("garbage collection: {}", report.summary());
        return report;
    }

    /**
     * What writes that never finished left in the registry's tree before the cutoff (the same rule as for blobs: a
     * write younger than the grace period may be live): the temporary file a filesystem driver writes a blob or link
     * to before renaming it, when the process died in between, and incomplete S3 multipart uploads. They are invisible
     * to the mark and the sweep, so a collection that did not release them would leave them forever. A failure here
     * is logged, not fatal: the collection itself is done.
     */
    private int releaseIncompleteWrites() {
        try {
            return store.io(() -> store.driver().purgeIncompleteWrites(Layout.ROOT, cutoff));
        } catch (RegistryException e) {
            LOG.warn("garbage collection: could not release the leftovers of unfinished writes: {}",
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return 0;
        }
    }

    /**
     * Deletes each item in parallel unless a writer in this JVM touched its digest since the collection started, and
     * returns those deleted, in order. A dry run (no guard) deletes nothing and returns them all.
     */
    private <T> List<T> deleteAll(SweepGuard guard, List<T> items, Function<T, Digest> digest,
            Consumer<T> delete) {
        if (guard == null) {
            return items;
        }
        Map<T, Boolean> done = parallel(items, item -> {
            Digest d = digest.apply(item);
            if (!guard.claim(d)) {
                return false;
            }
            try {
                delete.accept(item);
                return true;
            } finally {
                guard.release(d);
            }
        });
        return items.stream().filter(done::get).toList();
    }

    private boolean young(Instant modified) {
        return modified.isAfter(cutoff);
    }

    /** The revisions of one repository to keep. */
    private Set<Digest> keep(Scan scan, Set<Digest> tagged, Map<Digest, Refs> refs) {
        Map<Digest, List<Digest>> referrers = new HashMap<>();
        for (Digest d : scan.revisions.keySet()) {
            refs.getOrDefault(d, Refs.NONE).subject()
                    .ifPresent(s -> referrers.computeIfAbsent(s, k -> new ArrayList<>()).add(d));
        }
        Deque<Digest> todo = new ArrayDeque<>();
        scan.revisions.forEach((d, modified) -> {
            if (!options.deleteUntagged() || tagged.contains(d) || young(modified)) {
                todo.add(d);
            }
        });
        Set<Digest> kept = new HashSet<>();
        while (!todo.isEmpty()) {
            Digest d = todo.poll();
            if (!kept.add(d)) {
                continue;
            }
            for (Digest child : refs.getOrDefault(d, Refs.NONE).children()) {
                if (scan.revisions.containsKey(child)) {
                    todo.add(child);
                }
            }
            todo.addAll(referrers.getOrDefault(d, List.of()));
        }
        return kept;
    }

    /** An untagged manifest leaves its repository: tag history entries, referrers entry, then the revision. */
    private void deleteManifest(Scan scan, Digest d) {
        for (String dir : scan.tagHistory.getOrDefault(d, List.of())) {
            store.delete(dir);
        }
        for (String dir : scan.referrerEntries.getOrDefault(d, List.of())) {
            store.delete(dir);
        }
        store.delete(Layout.manifestRevisionLinkDir(scan.name, d));
    }

    // -----------------------------------------------------------------------------------------------------------
    // listing

    /** Every repository's links, the top-level folders walked in parallel. */
    private Map<RepositoryName, Scan> scanAll() {
        List<String> top = store.list(Layout.REPOSITORIES);
        Map<RepositoryName, Scan> all = new HashMap<>();
        for (Map<RepositoryName, Scan> part : parallel(top, this::scanTree).values()) {
            all.putAll(part); // the parts are disjoint: a repository lies under one top-level folder
        }
        return all;
    }

    private Map<RepositoryName, Scan> scanTree(String dir) {
        Map<RepositoryName, Scan> found = new HashMap<>();
        String base = Layout.REPOSITORIES + "/";
        walk(dir, file -> {
            String[] c = file.path().substring(base.length()).split("/");
            int i = 0;
            while (i < c.length && !c[i].startsWith("_")) {
                i++;
            }
            if (i == 0 || i == c.length) {
                return;
            }
            String name = String.join("/", Arrays.copyOfRange(c, 0, i));
            if (!RepositoryName.isValid(name)) {
                return;
            }
            Scan scan = found.computeIfAbsent(new RepositoryName(name), Scan::new);
            String[] rest = Arrays.copyOfRange(c, i + 1, c.length);
            switch (c[i]) {
                case Layout.MANIFESTS_DIR -> {
                    if (rest.length == 4 && rest[0].equals("revisions") && rest[3].equals(Layout.LINK)) {
                        digest(rest[1], rest[2]).ifPresent(d -> scan.revisions.put(d, file.modTime()));
                    } else if (rest.length == 4 && rest[0].equals("tags") && rest[2].equals("current")
                            && rest[3].equals(Layout.LINK)) {
                        scan.tagLinks.add(file.path());
                    } else if (rest.length == 6 && rest[0].equals("tags") && rest[2].equals("index")
                            && rest[5].equals(Layout.LINK)) {
                        digest(rest[3], rest[4]).ifPresent(d -> scan.tagHistory.computeIfAbsent(d,
                                k -> new ArrayList<>()).add(StoragePaths.parent(file.path())));
                    }
                }
                case Layout.LAYERS_DIR -> {
                    if (rest.length == 3 && rest[2].equals(Layout.LINK)) {
                        digest(rest[0], rest[1]).ifPresent(d -> scan.layers.merge(d, file.modTime(),
                                (a, b) -> a.isAfter(b) ? a : b));
                    }
                }
                case Layout.REFERRERS_DIR -> {
                    if (rest.length == 5 && rest[4].equals(Layout.LINK)) {
                        digest(rest[2], rest[3]).ifPresent(d -> scan.referrerEntries.computeIfAbsent(d,
                                k -> new ArrayList<>()).add(StoragePaths.parent(file.path())));
                    }
                }
                default -> {
                    // _uploads: upload purging's business
                }
            }
        });
        return found;
    }

    /** The digest of every blob in storage, with its size and age; the algorithm folders walked in parallel. */
    private Map<Digest, FileInfo> listBlobs() {
        List<String> prefixes = new ArrayList<>();
        for (String algorithm : store.list(Layout.BLOBS)) {
            prefixes.addAll(store.list(algorithm));
        }
        Map<Digest, FileInfo> all = new HashMap<>();
        for (Map<Digest, FileInfo> part : parallel(prefixes, prefix -> {
            Map<Digest, FileInfo> found = new HashMap<>();
            String base = Layout.BLOBS + "/";
            walk(prefix, file -> {
                String[] c = file.path().substring(base.length()).split("/");
                if (c.length == 4 && c[3].equals("data") && c[2].startsWith(c[1])) {
                    digest(c[0], c[2]).ifPresent(d -> found.put(d, file));
                }
            });
            return found;
        }).values()) {
            all.putAll(part);
        }
        return all;
    }

    private Map<RepositoryName, Set<Digest>> readTags(Collection<Scan> scans) {
        List<Map.Entry<RepositoryName, String>> links = new ArrayList<>();
        scans.forEach(s -> s.tagLinks.forEach(l -> links.add(Map.entry(s.name, l))));
        Map<RepositoryName, Set<Digest>> tagged = new HashMap<>();
        parallel(links, link -> store.readLink(link.getValue())).forEach((link, digest) ->
                digest.ifPresent(d -> tagged.computeIfAbsent(link.getKey(), k -> new HashSet<>()).add(d)));
        return tagged;
    }

    /** Reads every revision not read yet (one read per digest, whichever repositories hold it). */
    private void readManifests(Collection<Scan> scans, Map<Digest, Refs> refs) {
        Set<Digest> wanted = new HashSet<>();
        scans.forEach(s -> wanted.addAll(s.revisions.keySet()));
        wanted.removeAll(refs.keySet());
        parallel(wanted, d -> {
            refs.put(d, store.get(Layout.blobData(d)).map(MarkSweep::references).orElse(Refs.NONE));
            return null;
        });
    }

    /** What stored manifest bytes reference; for bytes we cannot parse, every digest written in them. */
    static Refs references(byte[] bytes) {
        try {
            Manifest m = Manifest.parse(bytes, null);
            Set<Digest> blobs = new HashSet<>();
            List<Digest> children = new ArrayList<>();
            for (Descriptor d : m.references()) {
                blobs.add(d.digest());
                if (m instanceof ImageIndex) {
                    children.add(d.digest());
                }
            }
            return new Refs(blobs, children, m.subject().map(Descriptor::digest));
        } catch (RegistryException notOurs) {
            Set<Digest> blobs = new HashSet<>();
            Matcher matcher = DIGEST_TEXT.matcher(new String(bytes, StandardCharsets.UTF_8));
            while (matcher.find()) {
                blobs.add(Digest.parse(matcher.group(1)));
            }
            return new Refs(blobs, List.copyOf(blobs), Optional.empty());
        }
    }

    private static Optional<Digest> digest(String algorithm, String hex) {
        try {
            return Optional.of(Digest.parse(algorithm + ":" + hex));
        } catch (RegistryException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void walk(String dir, Consumer<FileInfo> visitor) {
        store.io(() -> {
            try {
                store.driver().walk(dir, visitor::accept);
            } catch (PathNotFoundException gone) {
                // nothing there (any more)
            }
            return null;
        });
    }

    /** Applies {@code fn} to every item on the pool; the first failure fails the whole call. */
    private <T, R> Map<T, R> parallel(Collection<T> items, Function<T, R> fn) {
        List<Map.Entry<T, Future<R>>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            Callable<R> task = () -> fn.apply(item);
            futures.add(Map.entry(item, pool.submit(task)));
        }
        Map<T, R> results = new HashMap<>();
        try {
            for (Map.Entry<T, Future<R>> f : futures) {
                results.put(f.getKey(), f.getValue().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.getValue().cancel(true));
            throw new IllegalStateException("garbage collection interrupted", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.getValue().cancel(true));
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        return results;
    }
}
