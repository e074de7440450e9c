package dev.berth.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Everything logged in this JVM while open, at DEBUG and above, as an operator would read it: each event's formatted
 * message followed by its exception as logback prints it (every cause's class and message, and the stack).
 */
final class CapturedLog implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final List<String> events = new ArrayList<>();
    private final Logger root;
    private final Level level;
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            String text = e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy()));
            lock.lock();
            try {
                events.add(text);
                added.signalAll();
            } finally {
                lock.unlock();
            }
        }
    };

    CapturedLog() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        level = root.getLevel();
        root.setLevel(Level.DEBUG);
        appender.setContext(context);
        appender.setName("captured");
        appender.start();
        root.addAppender(appender);
    }

    /** The events so far. */
    List<String> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for an event that {@code matches}, and returns it; fails with what was logged after {@code timeout}. */
    String await(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            for (int seen = 0; ; ) {
                for (; seen < events.size(); seen++) {
                    if (matches.test(events.get(seen))) {
                        return events.get(seen);
                    }
                }
                if (left <= 0) {
                    throw new AssertionError("no such log event in " + timeout + "; logged:\n"
                            + String.join("\n", events));
                }
                left = added.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        root.setLevel(level);
    }
}
