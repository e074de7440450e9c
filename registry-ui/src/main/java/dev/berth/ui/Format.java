package dev.berth.ui;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Platform;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** How the console writes sizes, digests, platforms and times. */
final class Format {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** {@code 0 B}, {@code 512 B}, {@code 1.5 KiB}, {@code 23.4 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int u = 0;
        while (v >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, UNITS[u]);
    }

    /** {@code sha256:} and the first 12 hex digits. */
    static String shortDigest(Digest d) {
        String hex = d.hex();
        return d.algorithm().id() + ":" + hex.substring(0, Math.min(12, hex.length()));
    }

    /** {@code linux/arm64/v8}. */
    static String platform(Platform p) {
        StringBuilder sb = new StringBuilder(p.os()).append('/').append(p.architecture());
        if (p.variant() != null && !p.variant().isEmpty()) {
            sb.append('/').append(p.variant());
        }
        if (p.osVersion() != null && !p.osVersion().isEmpty()) {
            sb.append(" (").append(p.osVersion()).append(')');
        }
        return sb.toString();
    }

    /** {@code 850 ms}, {@code 1.2 s}, {@code 5 min}, {@code 2 h 5 min}. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long minutes = d.toMinutes();
        if (minutes < 60) {
            return minutes + " min";
        }
        return d.toHours() + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    /** An RFC 3339 time from a config or annotation, written as {@link #time}; the text itself when it is not one. */
    static String time(String rfc3339) {
        if (rfc3339 == null || rfc3339.isBlank()) {
            return null;
        }
        try {
            return time(OffsetDateTime.parse(rfc3339).toInstant());
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
    }
}
