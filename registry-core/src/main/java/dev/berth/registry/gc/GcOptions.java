package dev.berth.registry.gc;

import java.time.Duration;
import java.util.Objects;

/**
 * How a garbage collection runs.
 *
 * @param dryRun         report what would be deleted, delete nothing
 * @param deleteUntagged also delete manifests no tag points at (distribution's {@code --delete-untagged}), except the
 *                       children of a kept index and the referrers (signatures, SBOMs) of a kept manifest
 * @param gracePeriod    nothing younger than this is collected: a blob whose bytes or repository link, or a manifest
 *                       whose revision, was written within it is kept ({@code gcdelay}). Zero suits an offline
 *                       collection with no pushes going on; an online one needs longer than any push takes
 * @param parallelism    how many storage requests the mark and the sweep have in flight at once (listing
 *                       repositories, reading manifests, deleting); more helps on high-latency storage such as S3
 */
public record GcOptions(boolean dryRun, boolean deleteUntagged, Duration gracePeriod, int parallelism) {
    /** Offline defaults: delete for real, keep untagged manifests, no grace period, 8 requests in flight. */
    public static final GcOptions DEFAULTS = new GcOptions(false, false, Duration.ZERO, 8);

    public GcOptions {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
        }
        if (parallelism < 1 || parallelism > 256) {
            throw new IllegalArgumentException("parallelism must be between 1 and 256: " + parallelism);
        }
    }

    public GcOptions withDryRun(boolean dryRun) {
        return new GcOptions(dryRun, deleteUntagged, gracePeriod, parallelism);
    }

    public GcOptions withDeleteUntagged(boolean deleteUntagged) {
        return new GcOptions(dryRun, deleteUntagged, gracePeriod, parallelism);
    }

    public GcOptions withGracePeriod(Duration gracePeriod) {
        return new GcOptions(dryRun, deleteUntagged, gracePeriod, parallelism);
    }

    public GcOptions withParallelism(int parallelism) {
        return new GcOptions(dryRun, deleteUntagged, gracePeriod, parallelism);
    }
}
