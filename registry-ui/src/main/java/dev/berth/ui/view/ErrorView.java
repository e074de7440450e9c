package dev.berth.ui.view;

public record ErrorView(Chrome chrome, int status, String message) {
}
