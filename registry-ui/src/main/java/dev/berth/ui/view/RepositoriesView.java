package dev.berth.ui.view;

import java.util.List;

public record RepositoriesView(Chrome chrome, String query, List<Row> rows, int total, int pageNumber, int pages,
        String previous, String next, boolean signInHint) {

    /**
     * One repository.
     *
     * @param size     what its tags reach weighs, each blob once
     * @param lastPush when a tag was last pushed or moved, or empty when storage does not tell
     */
    public record Row(String name, String href, int tags, String size, long bytes, String lastPush) {
    }
}
