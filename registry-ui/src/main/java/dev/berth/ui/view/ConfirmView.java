package dev.berth.ui.view;

import java.util.List;

public record ConfirmView(Chrome chrome, String repository, List<String> tags, String action, String cancel) {
}
