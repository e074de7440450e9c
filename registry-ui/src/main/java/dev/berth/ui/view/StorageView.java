package dev.berth.ui.view;

import java.util.List;

/**
 * What the repositories the viewer can see weigh, the uploads in progress in them, and the last garbage collection.
 *
 * @param total    every blob and manifest counted once, whatever the number of repositories holding it
 * @param sumOfRepositories the repositories' sizes added up (what storage would hold without deduplication)
 * @param saved    what deduplication saves: the difference
 * @param freshness how old the sizes may be, in words
 * @param uploads  the uploads in progress (at most a page of them)
 * @param moreUploads how many more there are than {@code uploads} shows
 * @param gc       the last garbage collection, or null when there is none to show
 * @param gcNote   why there is none to show, when {@code gc} is null
 */
public record StorageView(Chrome chrome, String total, long totalBytes, String sumOfRepositories, String saved,
        boolean readOnly, boolean deletesEnabled, List<Row> rows, String freshness, List<Upload> uploads,
        int moreUploads, Gc gc, String gcNote) {

    public record Row(String repository, String href, String size, long bytes, int blobs) {
    }

    /** An upload in progress; {@code started} is empty when storage does not tell. */
    public record Upload(String repository, String href, String id, String started, String size, long bytes) {
    }

    /** The last garbage collection's summary, in words. */
    public record Gc(String finished, boolean dryRun, int manifestsDeleted, int blobsDeleted, String freed,
            long freedBytes, int manifestsKept, int blobsKept, int repositories, int linksDeleted, String duration,
            String cutoff) {
    }
}
