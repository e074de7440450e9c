package dev.berth.server.config;

import java.util.regex.Pattern;

/** Berth's {@code ui} section: the web console. */
final class UiBinder {
    /** One or more path segments of URL-safe characters: {@code /ui}, {@code /console/registry}. */
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

    private UiBinder() {
    }

    /**
     * {@code enabled} (true), {@code path} ({@code /ui}; not {@code /v2}, which is the registry's API, nor
     * {@code /auth}, where the built-in token issuer answers) and {@code activity} (500 events kept).
     */
    static ServerConfig.Ui bind(Section s) {
        s.onlyKeys("enabled", "path", "activity");
        boolean enabled = s.bool("enabled", true);
        String path = s.string("path", ServerConfig.Ui.DEFAULT.path()).strip();
        if (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        if (!PATH.matcher(path).matches()) {
            throw new ConfigException(s.key("path"), "must be a path such as /ui (segments of letters, digits,"
                    + " '.', '_', '~' and '-'), not '" + path + "'");
        }
        String first = path.substring(1).split("/", -1)[0];
        if (first.equals("v2") || first.equals("auth")) {
            throw new ConfigException(s.key("path"), "/" + first + " belongs to the registry; choose another path"
                    + " such as /ui");
        }
        int activity = s.integer("activity", ServerConfig.Ui.DEFAULT.activity(), 1, 100_000);
        return new ServerConfig.Ui(enabled, path, activity);
    }
}
