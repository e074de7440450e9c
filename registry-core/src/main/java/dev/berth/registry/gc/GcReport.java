package dev.berth.registry.gc;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What a garbage collection did (or, in a dry run, would do).
 *
 * @param dryRun           nothing was deleted
 * @param cutoff           what was written after this instant was kept whatever it was (start minus the grace period)
 * @param repositories     how many repositories were looked at
 * @param manifestsKept    manifest revisions kept, over all repositories
 * @param manifestsDeleted manifest revisions deleted (only with delete-untagged)
 * @param blobsKept        blobs kept (referenced, or too young)
 * @param blobsDeleted     blobs whose bytes were deleted, with their sizes
 * @param linksDeleted     repository links to deleted or missing blobs that were removed
 * @param duration         how long the collection took
 * @param incompleteWrites leftovers of writes that never finished, from before the cutoff, that storage released
 *                         ({@link dev.berth.registry.spi.storage.StorageDriver#purgeIncompleteWrites}: temporary
 *                         files of a process killed mid-write, incomplete S3 multipart uploads); 0 in a dry run
 */
public record GcReport(boolean dryRun, Instant cutoff, int repositories, int manifestsKept,
        List<DeletedManifest> manifestsDeleted, int blobsKept, List<DeletedBlob> blobsDeleted, int linksDeleted,
        Duration duration, int incompleteWrites) {

    public GcReport {
        manifestsDeleted = List.copyOf(manifestsDeleted);
        blobsDeleted = List.copyOf(blobsDeleted);
    }

    /** A report of a collection that released no leftovers of unfinished writes. */
    public GcReport(boolean dryRun, Instant cutoff, int repositories, int manifestsKept,
            List<DeletedManifest> manifestsDeleted, int blobsKept, List<DeletedBlob> blobsDeleted, int linksDeleted,
            Duration duration) {
        this(dryRun, cutoff, repositories, manifestsKept, manifestsDeleted, blobsKept, blobsDeleted, linksDeleted,
                duration, 0);
    }

    /** A manifest revision removed from a repository. */
    public record DeletedManifest(RepositoryName repository, Digest digest) {
    }

    /** A blob whose bytes were removed from storage. */
    public record DeletedBlob(Digest digest, long size) {
    }

    /** The bytes of the deleted blobs (manifests included: their bytes are blobs too). */
    public long bytesFreed() {
        return blobsDeleted.stream().mapToLong(DeletedBlob::size).sum();
    }

    /** One line for a log or a terminal. */
    public String summary() {
        return String.format(Locale.ROOT, "%s %d manifests and %d blobs (%s)%s; kept %d manifests and %d blobs in %d "
                        + "repositories; %.1f s", dryRun ? "would delete" : "deleted", manifestsDeleted.size(),
                blobsDeleted.size(), bytes(bytesFreed()), (linksDeleted == 0 ? "" : " and " + linksDeleted
                        + " repository links to them") + (incompleteWrites == 0 ? "" : ", released " + incompleteWrites
                        + " leftovers of unfinished writes"), manifestsKept, blobsKept, repositories,
                duration.toMillis() / 1000.0);
    }

    /** A byte count as people read it: {@code 1.5 MiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
