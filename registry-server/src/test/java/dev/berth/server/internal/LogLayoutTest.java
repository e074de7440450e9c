package dev.berth.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LogLayout} writes what logback's {@code PatternLayout} writes with {@link LogConfigurator#PATTERN}. */
class LogLayoutTest {
    private static final List<String> LOGGERS = List.of("dev.berth.server.Main", "org.eclipse.jetty.server.Server",
            "dev.berth.registry.internal.storage.CheckedStorageDriver", "ROOT", "a.b", "abcdefghijklmnopqrstuvwx",
            "abcdefghijklmnopq.rstuvwxyz", "dev.berth.server.observe.AccessLog", "x..y.Z", "");
    private static final List<Level> LEVELS = List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR);
    /** Instants across a year, a leap day, before 1970, and milliseconds of one, two and three digits. */
    private static final long[] TIMES = {0L, 1L, 999L, 1_764_975_607_042L, 1_709_164_800_123L, 1_711_846_799_999L,
        1_711_846_800_000L, -1L, -86_400_001L, 1_798_761_599_990L};

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham",
        "America/Los_Angeles"})
    void writesWhatThePatternWrites(String zoneName) {
        LoggerContext context = new LoggerContext();
        PatternLayout pattern = new PatternLayout();
        pattern.setContext(context);
        pattern.setPattern(LogConfigurator.PATTERN.replace("SSSXXX}", "SSSXXX, " + zoneName + "}"));
        pattern.start();
        LogLayout layout = new LogLayout(ZoneId.of(zoneName));
        layout.setContext(context);
        layout.start();
        int compared = 0;
        for (String name : LOGGERS) {
            Logger logger = context.getLogger(name.isEmpty() ? "ROOT" : name);
            for (Level level : LEVELS) {
                for (long time : TIMES) {
                    for (Throwable thrown : new Throwable[] {null, failure()}) {
                        LoggingEvent event = new LoggingEvent(LogLayoutTest.class.getName(), logger, level,
                                "pushed {} in {} ms", thrown, new Object[] {"library/alpine", 42});
                        event.setTimeStamp(time);
                        event.setThreadName(time % 2 == 0 ? "main" : "berth-request-7");
                        assertThat(layout.doLayout(event)).isEqualTo(pattern.doLayout(event));
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(LOGGERS.size() * LEVELS.size() * TIMES.length * 2);
    }

    private static Throwable failure() {
        IllegalStateException e = new IllegalStateException("cannot start",
                new UncheckedIOException(new IOException("disk full")));
        e.addSuppressed(new RuntimeException("while closing"));
        return e;
    }
}
