package dev.berth.ui.view;

import java.util.List;

/**
 * What the repositories the viewer can see weigh.
 *
 * @param total    every blob and manifest counted once, whatever the number of repositories holding it
 * @param sumOfRepositories the repositories' sizes added up (what storage would hold without deduplication)
 * @param saved    what deduplication saves: the difference
 */
public record StorageView(Chrome chrome, String total, long totalBytes, String sumOfRepositories, String saved,
        boolean readOnly, boolean deletesEnabled, List<Row> rows) {

    public record Row(String repository, String href, String size, long bytes, int blobs) {
    }
}
