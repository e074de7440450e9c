package dev.berth.registry.diagnostics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failure in words, for a log line or an error detail: never {@code null}, never a stack trace, never a URL's
 * password.
 *
 * <p>{@link #describe} gives the exception's message, led by its class name when the class says something the
 * message may not ({@code UnknownHostException: registry.example}, where the message alone is only a host name);
 * an exception without a message is named by its class ({@code ConnectException}, where {@code getMessage()} would
 * print {@code null}). Causes whose words are not in the message yet follow in parentheses. Generic JDK types
 * ({@code IOException}, {@code IllegalArgumentException}, ...) and Berth's own exceptions, whose messages are written
 * to be read alone, are not named. URLs quoted anywhere in the text have their user info masked
 * ({@link Urls#redactText}).
 *
 * <p>Thread-safe: stateless.
 */
public final class Failures {
    /** Causes followed at most, against cycles and walls of text. */
    private static final int MAX_CAUSES = 4;

    /** Types whose name adds nothing to a message. */
    private static final Set<Class<?>> GENERIC = Set.of(Exception.class, RuntimeException.class, IOException.class,
            UncheckedIOException.class, IllegalArgumentException.class, IllegalStateException.class,
            ExecutionException.class, CompletionException.class);

    private Failures() {
    }

    /** {@code failure} in words (see the class comment); null describes as {@code unknown failure}. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        StringBuilder text = new StringBuilder(alone(failure));
        Throwable cause = failure.getCause();
        for (int i = 0; i < MAX_CAUSES && cause != null && cause != failure; i++) {
            String words = alone(cause);
            String message = cause.getMessage();
            // A wrapper usually quotes its cause (new IOException(cause) says "java.net.ConnectException: ...").
            boolean quoted = message != null && !message.isBlank() ? text.indexOf(Urls.redactText(message)) >= 0
                    : text.indexOf(cause.getClass().getSimpleName()) >= 0;
            if (!quoted) {
                if (text.toString().equals(nameOf(failure)) && words.startsWith(nameOf(failure))) {
                    text.setLength(0); // "ConnectException" wrapping "ConnectException: Connection refused"
                    text.append(words);
                } else {
                    text.append(" (").append(words).append(')');
                }
            }
            failure = cause;
            cause = cause.getCause();
        }
        return text.toString();
    }

    private static String nameOf(Throwable t) {
        String simple = t.getClass().getSimpleName();
        return simple.isEmpty() ? t.getClass().getName() : simple;
    }

    /** One exception without its causes: its message, named by its class where that helps. */
    private static String alone(Throwable t) {
        String name = nameOf(t);
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return name;
        }
        message = Urls.redactText(message.strip());
        return GENERIC.contains(t.getClass()) || t.getClass().getName().startsWith("dev.berth.") ? message
                : name + ": " + message;
    }
}
