package dev.berth.server.internal;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The server's logging setup, in code rather than in a {@code logback.xml}: logback finds it with
 * {@code ServiceLoader} and runs it instead of its XML configurator, whose parsing (an XML parser, Joran's model and
 * its reflection) took about a third of the time from {@code java -jar} to the first answer. Main then sets the root
 * level from {@code log.level} and may switch the appender to JSON ({@code log.formatter}). Not API: public only
 * because {@code ServiceLoader} needs it.
 *
 * <p>What it sets up: one appender, {@link #APPENDER} on standard error, with the pattern below (written by
 * {@link LogLayout}, not parsed); the root at INFO and Jetty at WARN. A {@code logback.configurationFile} system
 * property or a {@code logback-test.xml} on the class path still wins: then this steps aside and logback reads that
 * file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    /** The name of the console appender, which the server (Main) looks up to switch it to JSON. */
    public static final String APPENDER = "STDERR";
    /** The layout of each line: the one the server's {@code logback.xml} had, which {@link LogLayout} writes. */
    public static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    /** Public, as {@code ServiceLoader} needs it. */
    public LogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null
                || LogConfigurator.class.getClassLoader().getResource(ClassicConstants.TEST_AUTOCONFIG_FILE) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogLayout layout = new LogLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
