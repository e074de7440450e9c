package dev.berth.registry.gc;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What a garbage collection did, in counts: a {@link GcReport} without its lists of deleted manifests and blobs
 * (of which there may be thousands), and with the time it finished.
 * {@link dev.berth.registry.Registry#lastGarbageCollection()} returns the last one, whichever process ran it.
 *
 * @param finishedAt       when the collection ended
 * @param dryRun           nothing was deleted
 * @param cutoff           what was written after this instant was kept whatever it was
 * @param repositories     how many repositories were looked at
 * @param manifestsKept    manifest revisions kept
 * @param manifestsDeleted manifest revisions deleted (or, in a dry run, that would have been)
 * @param blobsKept        blobs kept
 * @param blobsDeleted     blobs deleted (or that would have been)
 * @param bytesFreed       the bytes of the deleted blobs
 * @param linksDeleted     repository links to deleted or missing blobs that were removed
 * @param duration         how long it took, to the millisecond
 * @param incompleteWrites leftovers of unfinished writes that storage released
 */
public record GcSummary(Instant finishedAt, boolean dryRun, Instant cutoff, int repositories, int manifestsKept,
        int manifestsDeleted, int blobsKept, int blobsDeleted, long bytesFreed, int linksDeleted, Duration duration,
        int incompleteWrites) {

    public GcSummary {
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(cutoff, "cutoff");
        Objects.requireNonNull(duration, "duration");
    }

    /** The counts of {@code report}, which finished at {@code finishedAt}. */
    public static GcSummary of(GcReport report, Instant finishedAt) {
        return new GcSummary(finishedAt, report.dryRun(), report.cutoff(), report.repositories(),
                report.manifestsKept(), report.manifestsDeleted().size(), report.blobsKept(),
                report.blobsDeleted().size(), report.bytesFreed(), report.linksDeleted(),
                report.duration().truncatedTo(ChronoUnit.MILLIS),
                report.incompleteWrites());
    }
}
