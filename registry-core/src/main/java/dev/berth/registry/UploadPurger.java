package dev.berth.registry;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.repository.LocalUploads;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.RunningHashes;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.storage.FileInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges abandoned blob uploads (see {@link Registry#purgeUploads}): walks {@code repositories/} down through nested
 * repositories, skipping the {@code _manifests}, {@code _layers} and {@code _referrers} folders, and deletes each
 * {@code _uploads/<id>/} that is older than the cutoff. Everything it reads may vanish under it (an upload that
 * finishes, is cancelled, or is purged by another replica): a path that is gone is skipped, never an error.
 */
final class UploadPurger {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPurger.class);

    private final Store store;
    private final List<UploadPurgeReport.PurgedUpload> purged = new ArrayList<>();
    private int kept;
    private int undated;
    private int failed;

    UploadPurger(Store store) {
        this.store = store;
    }

    UploadPurgeReport purge(Duration olderThan, boolean dryRun) {
        Objects.requireNonNull(olderThan, "olderThan");
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative: " + olderThan);
        }
        if (!dryRun) {
            store.checkWritable();
        }
        Instant cutoff = store.clock().instant().minus(olderThan);
        store.forEachRepositoryFolder((name, children) -> {
            if (children.contains(Layout.UPLOADS_DIR)) {
                purgeRepository(name, cutoff, dryRun);
            }
        });
        int aborted = 0;
        if (!dryRun) {
            // The registry's own tree only: whatever else shares the bucket is not ours to clean.
            try {
                aborted = store.io(() -> store.driver().purgeIncompleteWrites(Layout.ROOT, cutoff));
            } catch (RegistryException e) {
                failed++;
                LOG.warn("upload purge: could not release incomplete writes: {}", causeOf(e));
            }
        }
        return new UploadPurgeReport(cutoff, dryRun, purged, kept, undated, failed, aborted);
    }

    private void purgeRepository(RepositoryName name, Instant cutoff, boolean dryRun) {
        for (String dir : store.list(Layout.uploadsDir(name))) {
            String id = StoragePaths.name(dir);
            try {
                purgeUpload(name, id, cutoff, dryRun);
            } catch (RegistryException e) {
                failed++;
                LOG.warn("upload purge: skipped upload {} of {}: {}", id, name, causeOf(e));
            }
        }
    }

    private void purgeUpload(RepositoryName name, String id, Instant cutoff, boolean dryRun) {
        String key = LocalUploads.key(name, id);
        Optional<RunningHashes.Hold> hold = store.hashes().hold(key, Duration.ZERO);
        if (hold.isEmpty()) {
            kept++; // this instance is writing a chunk to it right now: not abandoned
            return;
        }
        try {
            String dir = Layout.uploadDir(name, id);
            Optional<FileInfo> data = store.stat(Layout.uploadData(name, id));
            Optional<Instant> started = startedAt(name, id)
                    .or(() -> data.map(FileInfo::modTime).filter(t -> !t.equals(Instant.EPOCH)));
            if (started.isEmpty()) {
                Optional<FileInfo> folder = store.stat(dir);
                if (folder.isEmpty()) {
                    return; // finished or cancelled while we looked
                }
                started = Optional.of(folder.get().modTime()).filter(t -> !t.equals(Instant.EPOCH));
                if (started.isEmpty()) {
                    undated++;
                    LOG.debug("upload purge: kept upload {} of {}: its age is unknown", id, name);
                    return;
                }
            }
            if (!started.get().isBefore(cutoff)) {
                kept++;
                return;
            }
            long bytes = data.filter(d -> !d.isDirectory()).map(FileInfo::size).orElse(0L);
            if (!dryRun) {
                if (!store.delete(dir)) {
                    return; // finished or cancelled while we looked
                }
                store.hashes().forget(key);
            }
            purged.add(new UploadPurgeReport.PurgedUpload(name, id, started.get(), bytes));
            LOG.debug("upload purge: {} upload {} of {} ({} bytes, started {})", dryRun ? "would delete" : "deleted",
                    id, name, bytes, started.get());
        } finally {
            hold.get().close();
        }
    }

    /** The upload's {@code startedat}, when it is there and readable. */
    private Optional<Instant> startedAt(RepositoryName name, String id) {
        return startedAt(store, name, id);
    }

    static Optional<Instant> startedAt(Store store, RepositoryName name, String id) {
        return store.get(Layout.uploadStartedAt(name, id)).flatMap(bytes -> {
            try {
                return Optional.of(OffsetDateTime.parse(new String(bytes, StandardCharsets.US_ASCII).trim())
                        .toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * Every upload in progress, walking the same folders as the purge and reading what it reads (without deleting
     * anything): sorted by repository, then start (unknown last), then id. An upload that vanishes while it is looked
     * at is left out; one that cannot be read is logged and left out.
     */
    static List<UploadInProgress> inProgress(Store store) {
        List<UploadInProgress> out = new ArrayList<>();
        store.forEachRepositoryFolder((name, children) -> {
            if (!children.contains(Layout.UPLOADS_DIR)) {
                return;
            }
            for (String dir : store.list(Layout.uploadsDir(name))) {
                String id = StoragePaths.name(dir);
                try {
                    Optional<FileInfo> data = store.stat(Layout.uploadData(name, id));
                    Optional<Instant> started = startedAt(store, name, id)
                            .or(() -> data.map(FileInfo::modTime).filter(t -> !t.equals(Instant.EPOCH)));
                    if (started.isEmpty()) {
                        Optional<FileInfo> folder = store.stat(dir);
                        if (folder.isEmpty()) {
                            continue; // finished or cancelled while we looked
                        }
                        started = Optional.of(folder.get().modTime()).filter(t -> !t.equals(Instant.EPOCH));
                    }
                    long bytes = data.filter(d -> !d.isDirectory()).map(FileInfo::size).orElse(0L);
                    out.add(new UploadInProgress(name, id, started.orElse(null), bytes));
                } catch (RegistryException e) {
                    LOG.warn("uploads in progress: skipped upload {} of {}: {}", id, name, causeOf(e));
                }
            }
        });
        out.sort(Comparator.comparing((UploadInProgress u) -> u.repository().value())
                .thenComparing(UploadInProgress::startedAt, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(UploadInProgress::id));
        return out;
    }

    private static String causeOf(RegistryException e) {
        return Failures.describe(e);
    }
}
