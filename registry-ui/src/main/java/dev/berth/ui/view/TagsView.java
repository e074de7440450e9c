package dev.berth.ui.view;

import java.util.List;

public record TagsView(Chrome chrome, String repository, String pull, List<Row> rows, boolean canDelete,
        String deletesNote, String message, int total, int pageNumber, int pages, String previous, String next,
        String deleteAction) {

    /**
     * One tag.
     *
     * @param platforms the platforms of an index, joined; empty for a single image
     * @param deletable whether the viewer may delete it (permission, deletes enabled, not immutable)
     */
    public record Row(String tag, String href, String digest, String shortDigest, String size, long bytes,
            String created, String platforms, boolean immutable, boolean deletable, String pull) {
    }
}
