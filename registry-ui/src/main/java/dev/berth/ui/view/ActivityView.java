package dev.berth.ui.view;

import java.util.List;

/** Recent events, newest first; {@code recording} is false when the console was given no event buffer. */
public record ActivityView(Chrome chrome, boolean recording, int capacity, List<Row> rows) {

    public record Row(String time, String action, String repository, String href, String what, String actor) {
    }
}
