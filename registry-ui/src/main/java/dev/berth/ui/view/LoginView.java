package dev.berth.ui.view;

public record LoginView(Chrome chrome, String action, String user, String error) {
}
