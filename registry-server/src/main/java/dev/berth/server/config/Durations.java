package dev.berth.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as distribution's config.yml writes them (Go's {@code time.ParseDuration}: {@code 300ms}, {@code 60s},
 * {@code 1h30m}, {@code 1.5h}); a bare number is taken as seconds, as YAML users often write it.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String key, String text) {
        String s = text.trim();
        if (s.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        double nanos = 0;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw new ConfigException(key, "'" + text + "' is not a duration (write it like 300ms, 60s, 5m or 1h30m)");
        }
        return Duration.ofNanos((long) nanos);
    }
}
