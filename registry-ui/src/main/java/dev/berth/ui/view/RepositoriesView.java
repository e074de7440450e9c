package dev.berth.ui.view;

import java.util.List;

public record RepositoriesView(Chrome chrome, String query, List<Row> rows, int total, int pageNumber, int pages,
        String previous, String next, boolean signInHint) {

    public record Row(String name, String href, int tags) {
    }
}
