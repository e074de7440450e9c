package dev.berth.server.internal;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The lines of {@link LogConfigurator#PATTERN}, written by hand: the same text as logback's {@code PatternLayout} with
 * that pattern (its implicit {@code %ex} included), without parsing the pattern, whose converter registry (some fifty
 * classes and lambdas) and date formatter took a sixth of the server's start. Thread-safe.
 */
public final class LogLayout extends LayoutBase<ILoggingEvent> {
    /** The {@code 24} of {@code %logger{24}}. */
    private static final int LOGGER_LENGTH = 24;
    /** Logger names are few: each is abbreviated once. */
    private static final int NAME_CACHE_LIMIT = 1024;

    private final ZoneId zone;
    private final TargetLengthBasedClassNameAbbreviator abbreviator =
            new TargetLengthBasedClassNameAbbreviator(LOGGER_LENGTH);
    private final ConcurrentMap<String, String> names = new ConcurrentHashMap<>();
    /** The text of the last second seen, {@code 2026-12-05T22:40:07.}, and its offset; replaced, never changed. */
    private volatile Second second = new Second(Long.MIN_VALUE, "", "");
    /** Made on the first event with a throwable. */
    private volatile ThrowableProxyConverter throwables;

    private record Second(long epochSecond, String prefix, String offset) {
    }

    /** Times in the JVM's default zone, as the pattern's {@code %d} has them. */
    public LogLayout() {
        this(ZoneId.systemDefault());
    }

    LogLayout(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder b = new StringBuilder(128);
        long millis = event.getTimeStamp();
        long epochSecond = Math.floorDiv(millis, 1000L);
        Second s = second;
        if (s.epochSecond() != epochSecond) {
            s = second(epochSecond);
            second = s;
        }
        int ms = (int) Math.floorMod(millis, 1000L);
        b.append(s.prefix());
        if (ms < 100) {
            b.append(ms < 10 ? "00" : "0");
        }
        b.append(ms).append(s.offset()).append(' ');
        String level = event.getLevel().toString();
        b.append(level);
        for (int i = level.length(); i < 5; i++) {
            b.append(' ');
        }
        b.append(" [").append(event.getThreadName()).append("] ").append(abbreviate(event.getLoggerName()))
                .append(" - ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            b.append(throwableConverter().convert(event));
        }
        return b.toString();
    }

    private String abbreviate(String name) {
        if (name == null) {
            return "";
        }
        String abbreviated = names.get(name);
        if (abbreviated == null) {
            abbreviated = abbreviator.abbreviate(name);
            if (names.size() < NAME_CACHE_LIMIT) {
                names.put(name, abbreviated);
            }
        }
        return abbreviated;
    }

    private Second second(long epochSecond) {
        ZoneOffset offset = zone.getRules().getOffset(Instant.ofEpochSecond(epochSecond));
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, offset);
        StringBuilder b = new StringBuilder(24);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2).append('.');
        // XXX: Z at offset zero, else +HH:MM (seconds of an offset are not shown).
        int total = offset.getTotalSeconds();
        String zoneText;
        if (total == 0) {
            zoneText = "Z";
        } else {
            StringBuilder z = new StringBuilder(6).append(total < 0 ? '-' : '+');
            int abs = Math.abs(total);
            pad(z, abs / 3600, 2).append(':');
            pad(z, abs / 60 % 60, 2);
            zoneText = z.toString();
        }
        return new Second(epochSecond, b.toString(), zoneText);
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String text = Integer.toString(value);
        for (int i = text.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(text);
    }

    private ThrowableProxyConverter throwableConverter() {
        ThrowableProxyConverter c = throwables;
        if (c == null) {
            synchronized (this) {
                c = throwables;
                if (c == null) {
                    c = new ThrowableProxyConverter();
                    c.setContext(getContext());
                    c.start();
                    throwables = c;
                }
            }
        }
        return c;
    }
}
