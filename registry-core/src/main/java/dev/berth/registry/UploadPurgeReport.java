package dev.berth.registry;

import dev.berth.registry.model.RepositoryName;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Registry#purgeUploads} did (or, in a dry run, would do).
 *
 * @param cutoff                  uploads that started before this instant were old enough to purge
 * @param dryRun                  whether nothing was deleted
 * @param purged                  the uploads deleted (in a dry run: that would be deleted), in the order found
 * @param kept                    uploads younger than the cutoff (or taking a chunk on this instance at that
 *                                moment), left alone
 * @param undated                 uploads whose age could not be told (no readable {@code startedat}, no modification
 *                                time), left alone
 * @param failed                  uploads that could not be read or deleted, plus one when releasing storage-side
 *                                leftovers failed (storage failed; the log has why): left for the next purge
 * @param incompleteWritesAborted storage-side leftovers of writers that never finished, released through
 *                                {@link dev.berth.registry.spi.storage.StorageDriver#purgeIncompleteWrites} (0 in a
 *                                dry run)
 */
public record UploadPurgeReport(Instant cutoff, boolean dryRun, List<PurgedUpload> purged, int kept, int undated,
        int failed, int incompleteWritesAborted) {

    public UploadPurgeReport {
        Objects.requireNonNull(cutoff, "cutoff");
        purged = List.copyOf(purged);
    }

    /**
     * One purged upload.
     *
     * @param repository the repository it was pushed to
     * @param id         its upload id (the folder name)
     * @param startedAt  when it started, as far as the purge could tell (see {@link Registry#purgeUploads})
     * @param bytes      the size of its data (0 when it had none)
     */
    public record PurgedUpload(RepositoryName repository, String id, Instant startedAt, long bytes) {
        public PurgedUpload {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(startedAt, "startedAt");
        }
    }

    /** How many uploads were purged. */
    public int count() {
        return purged.size();
    }

    /** The bytes of data the purged uploads held. */
    public long bytes() {
        return purged.stream().mapToLong(PurgedUpload::bytes).sum();
    }
}
