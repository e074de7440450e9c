package dev.berth.registry;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.gc.GcSummary;
import dev.berth.registry.internal.cache.GuardedCache;
import dev.berth.registry.internal.events.EventEmitter;
import dev.berth.registry.internal.events.EventRepository;
import dev.berth.registry.internal.gc.LastGc;
import dev.berth.registry.internal.gc.MarkSweep;
import dev.berth.registry.internal.health.HealthProbe;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.proxy.PullThrough;
import dev.berth.registry.internal.proxy.PullThroughRepository;
import dev.berth.registry.internal.proxy.UpstreamClient;
import dev.berth.registry.internal.repository.LocalRepository;
import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.RunningHashes;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Page;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.proxy.Upstream;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container registry over one storage driver: the entry point of the library.
 *
 * <pre>{@code
 * try (Registry registry = Registry.builder()
 *         .storage("filesystem", Map.of("rootdirectory", "/var/lib/registry"))
 *         .build()) {
 *     Repository repo = registry.repository("library/alpine");
 *     Descriptor layer = repo.uploads().put(digest, inputStream);
 *     repo.manifests().put(Reference.parse("3.20"), MediaTypes.OCI_MANIFEST, manifestBytes);
 * }
 * }</pre>
 *
 * Everything lives in storage in CNCF distribution's layout; several {@code Registry} instances (in one JVM or in
 * several replicas) may share one storage.
 *
 * <p>What the builder configures beyond storage composes around each repository when it is built, as CNCF
 * distribution composes its repositories: a repository under an {@link Builder#upstream upstream}'s prefix is a
 * pull-through cache of it, and with an {@link Builder#events event listener} every repository reports its pushes,
 * pulls, mounts and deletes, as do {@link #deleteRepository}, {@link Retention} and {@link #collectGarbage}. A server
 * passes each request's {@link RequestContext} to {@link #repository(RepositoryName, RequestContext)}, so that its
 * events say who asked. Thread-safe.
 */
public final class Registry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    /** How long a health check's result is served before the dependency is asked again (see {@link #checkStorage}). */
    public static final Duration DEFAULT_HEALTH_CACHE = Duration.ofSeconds(5);
    /** How long a health check waits for a dependency before it calls it unhealthy. */
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(5);

    private final Store store;
    private final ReentrantLock collecting = new ReentrantLock();
    private volatile GcSummary lastGc;

    private final PullThrough pullThrough;
    private final EventListener events;
    private final HealthProbe storageHealth;
    private final HealthProbe cacheHealth;
    private final Map<String, HealthProbe> upstreamHealth = new LinkedHashMap<>();

    private Registry(Store store, PullThrough pullThrough, EventListener events, Duration healthCache,
            Duration healthTimeout) {
        this.store = store;
        this.pullThrough = pullThrough;
        this.events = events;
        String driver = store.driver().name();
        this.storageHealth = new HealthProbe("storage-" + driver, () -> {
            try {
                store.driver().checkHealth(!store.readOnly());
            } catch (PathNotFoundException answered) {
                // the storage answered; that a path is missing is no illness
            }
        }, healthCache, healthTimeout, System::nanoTime);
        this.cacheHealth = new HealthProbe("cache", () -> store.cache().checkHealth(), healthCache, healthTimeout,
                System::nanoTime);
        for (UpstreamClient client : pullThrough.clients()) {
            upstreamHealth.put(client.upstream().prefix(), new HealthProbe("upstream-" + client.upstream().prefix(),
                    () -> client.ping(healthTimeout), healthCache, healthTimeout, System::nanoTime));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A repository by name; NAME_INVALID when the name breaks the spec's grammar. */
    public Repository repository(String name) {
        return repository(RepositoryName.parse(name));
    }

    /**
     * A repository, acted on in a {@link RequestContext#local() local context} of its own: its events (if any) say
     * no more of who asked than one request id for everything done through it.
     */
    public Repository repository(RepositoryName name) {
        return build(Objects.requireNonNull(name, "name"), null);
    }

    /**
     * A repository, acted on for the request {@code context} describes: the events of what is done through it carry
     * that request and actor. Cheap: a server builds one per request.
     */
    public Repository repository(RepositoryName name, RequestContext context) {
        return build(Objects.requireNonNull(name, "name"), Objects.requireNonNull(context, "context"));
    }

    /**
     * A repository to look into on a person's behalf (what a web console shows), for the request {@code context}
     * describes: reading a manifest or a blob through it is not reported to the {@link Builder#events event listener}
     * as a pull, since nothing was pulled (webhooks and pull counts see only clients' pulls), while what is changed
     * through it (a tag deleted) is reported as through {@link #repository(RepositoryName, RequestContext)}. It is
     * otherwise the same repository: under an upstream's prefix, what is read and not yet cached is still fetched.
     */
    public Repository inspect(RepositoryName name, RequestContext context) {
        return build(Objects.requireNonNull(name, "name"), Objects.requireNonNull(context, "context"), false);
    }

    private Repository build(RepositoryName name, RequestContext context) {
        return build(name, context, true);
    }

    /** The repository in storage, wrapped in what the configuration adds (null context: a local one, if needed). */
    private Repository build(RepositoryName name, RequestContext context, boolean reportPulls) {
        LocalRepository local = new LocalRepository(store, name);
        Repository repository = pullThrough.target(name)
                .map(target -> PullThroughRepository.of(local, target)).orElse(local);
        return events == EventListener.NONE ? repository : EventRepository.of(repository,
                new EventEmitter(events, context != null ? context : RequestContext.local(), reportPulls));
    }

    /** Every repository that holds a manifest, sorted. */
    public List<RepositoryName> catalog() {
        return catalog(Integer.MAX_VALUE, (String) null).items();
    }

    /** Up to {@code n} repositories (those holding manifests) that sort after {@code last}; null starts at the first. */
    public Page<RepositoryName> catalog(int n, RepositoryName last) {
        return catalog(n, last == null ? null : last.value());
    }

    /** As {@link #catalog(int, RepositoryName)}, with {@code last} as text to sort after (it need not be a name). */
    public Page<RepositoryName> catalog(int n, String last) {
        return catalog(n, last, name -> true);
    }

    /**
     * As {@link #catalog(int, String)}, listing only the repositories {@code visible} accepts (those a caller may
     * pull); pages are filled with visible names, and the next page starts after the last one shown.
     */
    public Page<RepositoryName> catalog(int n, String last, Predicate<RepositoryName> visible) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        List<RepositoryName> names = new ArrayList<>();
        store.forEachRepositoryFolder((name, children) -> {
            if (children.contains(Layout.MANIFESTS_DIR)) {
                names.add(name);
            }
        });
        names.removeIf(r -> last != null && r.value().compareTo(last) <= 0 || !visible.test(r));
        names.sort(null);
        return Page.first(names, n);
    }

    /**
     * Proves that storage answers, for a health check polled every few seconds: the driver's
     * {@link StorageDriver#checkHealth real round trip} to its storage (a listing on S3; on a filesystem, that the
     * root is a directory that can be read and, unless the registry is read-only, written). A store with nothing in
     * it yet is healthy. The result is kept for the builder's {@link Builder#healthChecks health cache period} (five
     * seconds by default), so that polling does not hammer storage, and a storage that does not answer within the
     * health timeout is unhealthy rather than a hang; only one check runs at a time, whatever the number of callers.
     *
     * @throws RegistryException with {@link ErrorCode#UNAVAILABLE} (the status the registry answers storage failures
     *     with) saying what is wrong; the driver's exception is the cause
     */
    public void checkStorage() {
        storageHealth.check().ifPresent(e -> {
            throw unhealthy("storage driver '" + store.driver().name() + "'", e);
        });
    }

    /** Whether a cache is in front of storage ({@link Builder#cache}): then {@link #checkCache()} means something. */
    public boolean hasCache() {
        return store.cache().enabled();
    }

    /**
     * Proves that the cache answers (for Redis, a {@code PING}), with the same caching of the result and bound in
     * time as {@link #checkStorage()}. Does nothing without a cache. A cache that is down does not make the registry
     * answer wrongly (reads go to storage), but the registry is slower, and what it writes meanwhile cannot
     * invalidate the entries other replicas read from the same cache.
     *
     * @throws RegistryException UNAVAILABLE saying what is wrong
     */
    public void checkCache() {
        if (hasCache()) {
            cacheHealth.check().ifPresent(e -> {
                throw unhealthy("cache", e);
            });
        }
    }

    /** The upstreams this registry pulls through from ({@link Builder#upstream}), the longest prefix first. */
    public List<Upstream> upstreams() {
        return pullThrough.upstreams();
    }

    /**
     * Proves that the upstream serving {@code prefix} answers as a registry ({@code GET /v2/}; 401 counts as an
     * answer), with the same caching and bound in time as {@link #checkStorage()}.
     *
     * @throws IllegalArgumentException when no upstream has that prefix
     * @throws RegistryException        UNAVAILABLE saying what is wrong (never with the upstream's credentials)
     */
    public void checkUpstream(String prefix) {
        HealthProbe probe = upstreamHealth.get(prefix);
        if (probe == null) {
            throw new IllegalArgumentException("no upstream with the prefix '" + prefix + "'");
        }
        probe.check().ifPresent(e -> {
            throw unhealthy("upstream " + (prefix.isEmpty() ? "*" : prefix), e);
        });
    }

    private static RegistryException unhealthy(String what, Exception e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        return new RegistryException(ErrorCode.UNAVAILABLE, what + " is unhealthy: " + reason, e);
    }

    /** As {@link #deleteRepository(RepositoryName)}, by name; NAME_INVALID when the name breaks the grammar. */
    public RepositoryDeletion deleteRepository(String name) {
        return deleteRepository(RepositoryName.parse(name));
    }

    /** As {@link #deleteRepository(RepositoryName, RequestContext)}, in a local context of its own. */
    public RepositoryDeletion deleteRepository(RepositoryName name) {
        return deleteRepository(name, RequestContext.local());
    }

    /**
     * Deletes a whole repository: its manifests, tags, blob links, uploads in progress and referrers index. Nested
     * repositories are not part of it ({@code a/b} survives deleting {@code a}). Blob bytes stay in the blob store:
     * garbage collection frees those that no repository links any more. Afterwards the catalog no longer lists the
     * repository and its tag list is NAME_UNKNOWN, as for a repository never pushed to. The
     * {@link Builder#events event listener} is told of one delete, in {@code context}, whose target is the repository
     * alone (as distribution reports a repository deletion), not of each of its tags, manifests and blobs.
     *
     * @throws RegistryException UNSUPPORTED when deletes are disabled, NAME_UNKNOWN when the repository does not exist
     *                           ({@link Repository#exists()}), DENIED when it holds an immutable tag
     *                           ({@link ImmutableTags}); nothing is deleted then
     */
    public RepositoryDeletion deleteRepository(RepositoryName name, RequestContext context) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(context, "context");
        store.checkWritable();
        store.checkDeletesEnabled();
        if (!LocalRepository.holdsData(store, name)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + name + " is not known to this registry");
        }
        // Read everything the cache may hold for the repository before it goes, to invalidate it afterwards.
        Repository repository = new LocalRepository(store, name);
        List<Tag> tags = new ArrayList<>();
        for (String path : store.list(Layout.tagsDir(name))) {
            String tag = StoragePaths.name(path);
            if (Tag.isValid(tag)) {
                tags.add(new Tag(tag));
            }
        }
        tags.sort(null);
        for (Tag tag : tags) {
            if (store.immutableTags().isImmutable(name, tag) && repository.tags().get(tag).isPresent()) {
                throw ImmutableTags.denied(name, tag, "deleting its repository");
            }
        }
        List<Digest> manifests = digestsUnder(Layout.manifestRevisionsDir(name));
        List<Digest> blobs = digestsUnder(Layout.layersDir(name));
        int uploads = store.list(Layout.uploadsDir(name)).size();
        try {
            for (String dir : Layout.REPOSITORY_DIRS) {
                store.delete(Layout.repositoryDir(name, dir));
            }
        } finally {
            // Even after a failure half-way: what may be gone must not be served from the cache.
            for (Tag tag : tags) {
                store.cache().invalidateTag(name, tag);
            }
            for (Digest blob : blobs) {
                store.cache().invalidateLink(name, blob);
            }
        }
        emitter(context).ifPresent(e -> e.repositoryDeleted(name));
        return new RepositoryDeletion(name, tags, manifests, blobs, uploads);
    }

    /** What raises the lifecycle operations' events in {@code context}; empty without a listener. */
    private Optional<EventEmitter> emitter(RequestContext context) {
        return events == EventListener.NONE ? Optional.empty() : Optional.of(new EventEmitter(events, context));
    }

    /** The digests of the {@code <alg>/<hex>} folders under {@code dir}, sorted. */
    private List<Digest> digestsUnder(String dir) {
        List<Digest> out = new ArrayList<>();
        for (String alg : store.list(dir)) {
            for (String hex : store.list(alg)) {
                String text = StoragePaths.name(alg) + ":" + StoragePaths.name(hex);
                try {
                    out.add(Digest.parse(text));
                } catch (RegistryException notADigest) {
                    // a damaged or foreign entry: deleted with the rest, not reported
                }
            }
        }
        out.sort(Comparator.comparing(Object::toString));
        return out;
    }

    /** The store under this registry, for the lifecycle operations of this package. */
    Store store() {
        return store;
    }

    /**
     * Deletes what no manifest needs: blobs nothing references and, with {@link GcOptions#deleteUntagged()},
     * manifests no tag points at (never the children of a kept index nor the referrers of a kept manifest). Safe
     * while pushes and pulls go on as long as {@link GcOptions#gracePeriod()} is longer than a push takes: nothing
     * written within it is collected, and manifests pushed during the mark are seen before the sweep. Works on
     * stores written by distribution. A storage failure during the mark aborts the run before anything is deleted.
     *
     * <p>Each untagged manifest deleted is reported to the {@link Builder#events event listener} as a manifest delete
     * of its repository (all of one run in one local context); the blobs the sweep frees are not reported, as
     * distribution reports nothing of a collection: what no manifest references is storage's business.
     *
     * @throws IllegalStateException when a collection is already running on this registry
     * @throws RegistryException     UNAVAILABLE when storage fails (the run stops where it was; run it again)
     */
    public GcReport collectGarbage(GcOptions options) {
        Objects.requireNonNull(options, "options");
        if (!collecting.tryLock()) {
            throw new IllegalStateException("a garbage collection is already running on this registry");
        }
        GcReport report;
        try {
            report = MarkSweep.run(store, options);
        } finally {
            collecting.unlock();
        }
        remember(GcSummary.of(report, store.clock().instant()));
        if (!report.dryRun()) {
            emitter(RequestContext.local()).ifPresent(e -> report.manifestsDeleted()
                    .forEach(m -> e.manifestDeleted(m.repository(), m.digest())));
        }
        return report;
    }

    /** Keeps the summary in memory and, unless read-only, in storage for the other processes on the same storage. */
    private void remember(GcSummary summary) {
        lastGc = summary;
        if (store.readOnly()) {
            return;
        }
        try {
            LastGc.write(store, summary);
        } catch (RegistryException e) {
            // The collection is done; only its summary is not shared. This instance still shows it.
            LOG.warn("garbage collection: could not store its summary at {}: {}", Layout.LAST_GC, Failures.describe(e));
        }
    }

    /**
     * The last garbage collection of this storage ({@link #collectGarbage}), dry runs included: the summary that the
     * collection wrote beside distribution's folders ({@code /docker/registry/v2/_berth/gc/last.json}, which
     * distribution ignores), so that a collection run by another process on the same storage (the
     * {@code garbage-collect} command, another replica) is seen too; or this registry's own last one when that is
     * newer (a read-only registry, or storage that refused the write). Empty when none has run (or none since the
     * summary was kept). Costs one small read of storage.
     *
     * @throws RegistryException UNAVAILABLE when storage cannot be read
     */
    public Optional<GcSummary> lastGarbageCollection() {
        Optional<GcSummary> stored = LastGc.read(store);
        GcSummary mine = lastGc;
        if (mine != null && (stored.isEmpty() || mine.finishedAt().isAfter(stored.get().finishedAt()))) {
            return Optional.of(mine);
        }
        return stored;
    }

    /**
     * The blob uploads in progress in every repository: started, and neither finished, cancelled nor purged yet
     * ({@link #purgeUploads} tells their age the same way), sorted by repository, then by start. Walks
     * {@code repositories/} as {@link #purgeUploads} does, reading each upload's {@code startedat} and the size of its
     * data: one listing per repository folder and two or three reads per upload.
     *
     * @throws RegistryException UNAVAILABLE when storage cannot be listed
     */
    public List<UploadInProgress> uploadsInProgress() {
        return UploadPurger.inProgress(store);
    }

    /**
     * When a tag of the repository was last pushed or moved: the newest modification time, as the storage driver's
     * {@code stat} reports it, of the links that say what each tag points at (distribution's
     * {@code _manifests/tags/<tag>/current/link}, written by every push of a manifest by tag). One listing and one
     * stat per tag. Empty when the repository has no tag, or the driver keeps no modification times.
     *
     * @throws RegistryException UNAVAILABLE when storage cannot be read
     */
    public Optional<Instant> lastTagged(RepositoryName name) {
        Objects.requireNonNull(name, "name");
        Instant newest = null;
        for (String path : store.list(Layout.tagsDir(name))) {
            String tag = StoragePaths.name(path);
            if (!Tag.isValid(tag)) {
                continue;
            }
            Optional<Instant> time = store.stat(Layout.tagCurrentLink(name, new Tag(tag))).map(FileInfo::modTime)
                    .filter(t -> !t.equals(Instant.EPOCH));
            if (time.isPresent() && (newest == null || time.get().isAfter(newest))) {
                newest = time.get();
            }
        }
        return Optional.ofNullable(newest);
    }

    /** Whether this registry refuses every write ({@link Builder#readOnly(boolean)}). */
    public boolean readOnly() {
        return store.readOnly();
    }

    /** Whether blobs, manifests and tags may be deleted ({@link Builder#deletesEnabled(boolean)}). */
    public boolean deletesEnabled() {
        return store.deletesEnabled();
    }

    /** The tags that may not move or be deleted once pushed ({@link Builder#immutableTags}). */
    public ImmutableTags immutableTags() {
        return store.immutableTags();
    }

    /**
     * Deletes the blob uploads of every repository that started more than {@code olderThan} ago, and what storage
     * keeps of writers that never finished (incomplete S3 multipart uploads) from before then; distribution's
     * {@code storage.maintenance.uploadpurging}. With {@code dryRun}, deletes nothing and reports what it would
     * delete (storage-side leftovers are not counted then).
     *
     * <p>An upload's age is taken from its {@code startedat} file; when that is missing or unreadable, from the
     * modification time of its {@code data}, then of its folder. An upload whose age is unknown on all three counts
     * (a driver that keeps no modification times) is kept and counted as {@link UploadPurgeReport#undated()}: the
     * purge never deletes what it cannot prove old. An upload that finishes or is cancelled while the purge runs is
     * skipped, as is one this instance is writing a chunk to at that moment.
     *
     * @throws RegistryException UNSUPPORTED when the registry is read-only and {@code dryRun} is false; UNAVAILABLE
     *     when storage cannot be listed
     */
    public UploadPurgeReport purgeUploads(Duration olderThan, boolean dryRun) {
        return new UploadPurger(store).purge(olderThan, dryRun);
    }

    /** What the cache did so far (all zero without a cache). */
    public CacheStats cacheStats() {
        GuardedCache cache = store.cache();
        return new CacheStats(cache.hits(), cache.misses(), cache.errors());
    }

    /** Closes the storage driver, and the cache when the builder created it by name. */
    @Override
    public void close() throws IOException {
        try {
            pullThrough.close();
            store.cache().close();
        } finally {
            store.driver().close();
        }
    }

    /** Builds a {@link Registry}. */
    public static final class Builder {
        private StorageDriver driver;
        private Clock clock = Clock.systemUTC();
        private boolean deletesEnabled = true;
        private boolean readOnly;
        private long maxRunningUploads = 10_000;
        private Duration uploadIdle = Duration.ofHours(1);
        private BlobDescriptorCache cache;
        private boolean cacheOwned;
        private ImmutableTags immutableTags = ImmutableTags.NONE;
        private final List<Upstream> upstreams = new ArrayList<>();
        private Duration upstreamTimeout = Duration.ofSeconds(30);
        private Duration healthCache = DEFAULT_HEALTH_CACHE;
        private Duration healthTimeout = DEFAULT_HEALTH_TIMEOUT;
        private EventListener events = EventListener.NONE;

        private Builder() {
        }

        /** Use this driver instance (skipping discovery); it is wrapped in the core's path checks. */
        public Builder storage(StorageDriver driver) {
            this.driver = CheckedStorageDriver.wrap(Objects.requireNonNull(driver, "driver"));
            return this;
        }

        /** Use the driver found by {@link java.util.ServiceLoader} under {@code name}, built from {@code parameters}. */
        public Builder storage(String name, Map<String, ?> parameters) {
            this.driver = StorageDrivers.create(name, parameters);
            return this;
        }

        /**
         * Put this cache in front of storage (blob descriptors, blob links, tags). The caller owns it: closing the
         * registry leaves it open, so several registries may share it. A cache only ever saves storage reads; when it
         * fails or is down, reads go to storage ({@link #cacheStats()} counts the failures).
         */
        public Builder cache(BlobDescriptorCache cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
            this.cacheOwned = false;
            return this;
        }

        /**
         * Use the cache found by {@link java.util.ServiceLoader} under {@code name} ({@code inmemory}, {@code redis}),
         * built from {@code parameters}; closing the registry closes it.
         */
        public Builder cache(String name, Map<String, ?> parameters) {
            this.cache = Caches.create(name, parameters);
            this.cacheOwned = true;
            return this;
        }

        /**
         * Whether blobs, manifests and tags may be deleted (distribution's {@code storage.delete.enabled}); when not,
         * deletes are UNSUPPORTED. On by default in the library; the standalone server follows distribution's default.
         */
        public Builder deletesEnabled(boolean enabled) {
            this.deletesEnabled = enabled;
            return this;
        }

        /**
         * Whether every write is refused (distribution's {@code storage.maintenance.readonly}): pushes (upload start,
         * chunks, commit, cancel, mounts, manifest puts) and deletes are UNSUPPORTED, before storage is touched;
         * reads work as usual. For maintenance such as garbage collection by another process. Off by default.
         */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** The tags that may not move or be deleted once pushed; none by default. */
        public Builder immutableTags(ImmutableTags immutableTags) {
            this.immutableTags = Objects.requireNonNull(immutableTags, "immutableTags");
            return this;
        }

        /** The clock upload start times are taken from. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How many uploads this instance keeps a running digest for, and for how long after their last chunk. Past
         * either, a commit reads the upload back to verify it: slower, never wrong.
         */
        public Builder runningDigests(long maxUploads, Duration idle) {
            this.maxRunningUploads = maxUploads;
            this.uploadIdle = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /**
         * Pull through from {@code upstream}: a repository under its prefix that lacks a manifest or blob fetches it
         * from there and stores it (a pull-through cache, distribution's {@code proxy}); pushes to those
         * repositories are UNSUPPORTED, pushes elsewhere work as usual. Several upstreams may be added with
         * different prefixes; the longest matching prefix serves a repository.
         */
        public Builder upstream(Upstream upstream) {
            Objects.requireNonNull(upstream, "upstream");
            if (upstreams.stream().anyMatch(u -> u.prefix().equals(upstream.prefix()))) {
                throw new IllegalArgumentException("two upstreams for the prefix '" + upstream.prefix() + "'");
            }
            upstreams.add(upstream);
            return this;
        }

        /** How long a connection to, or a response from, an upstream may take (default 30 s). */
        public Builder upstreamTimeout(Duration timeout) {
            this.upstreamTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How the health checks ({@link Registry#checkStorage()}, {@link Registry#checkCache()},
         * {@link Registry#checkUpstream}) run: a result is served for {@code cacheFor} before the dependency is asked
         * again (zero: every call asks), and a dependency that has not answered within {@code timeout} is unhealthy.
         * Defaults: {@link #DEFAULT_HEALTH_CACHE}, {@link #DEFAULT_HEALTH_TIMEOUT}.
         */
        public Builder healthChecks(Duration cacheFor, Duration timeout) {
            Objects.requireNonNull(cacheFor, "cacheFor");
            Objects.requireNonNull(timeout, "timeout");
            if (cacheFor.isNegative() || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("health checks: cacheFor must not be negative and timeout must be"
                        + " positive: " + cacheFor + ", " + timeout);
            }
            this.healthCache = cacheFor;
            this.healthTimeout = timeout;
            return this;
        }

        /**
         * Report every push, pull, mount and delete to {@code listener} (distribution's notifications): those done
         * through any repository the registry builds, with the {@link RequestContext} it was built for, and the
         * deletes of the lifecycle operations. {@link Registry#deleteRepository} reports one delete whose target is
         * the repository alone (as distribution does); {@link Retention} one tag delete per tag it deletes;
         * {@link Registry#collectGarbage} one manifest delete per untagged manifest it deletes. Pulling through from
         * an upstream stores content without reporting a push. The registry does not own the listener: closing it
         * leaves the listener open. {@link EventListener#NONE} (the default) builds no event at all.
         */
        public Builder events(EventListener listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Registry build() {
            StorageDriver d = driver != null ? driver : StorageDrivers.create("inmemory", Map.of());
            return new Registry(new Store(d, clock, deletesEnabled, readOnly,
                    new RunningHashes(maxRunningUploads, uploadIdle), new GuardedCache(cache, cacheOwned), immutableTags),
                    upstreams.isEmpty() ? PullThrough.NONE
                            : new PullThrough(upstreams, upstreamTimeout), events, healthCache, healthTimeout);
        }
    }
}
