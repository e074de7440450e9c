package dev.berth.server.observe;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log's line format, and its default sink (SLF4J logger {@value #LOGGER_NAME}, level INFO). One line per
 * request:
 *
 * <pre>
 * 127.0.0.1 alice "PUT /v2/library/alpine/blobs/uploads/3f0c?digest=sha256:9a0b..." 201 1048576 0 12ms
 * remote    user  "method path?query"                                              status in out duration
 * </pre>
 *
 * {@code user} is {@code -} when unknown; {@code in} and {@code out} are content bytes.
 *
 * <p><b>What it promises:</b> no request headers are ever read, so an {@code Authorization} header cannot appear; in
 * the query only the values of the registry's own harmless parameters ({@link #VISIBLE_PARAMETERS}) are shown, every
 * other value is written {@code ***} (distribution's {@code _state}, tokens, passwords, presigning signatures, and
 * whatever a client adds: a new secret parameter is masked without anyone having to remember it); control characters,
 * quotes and backslashes are escaped, so a client cannot forge a line.
 */
public final class AccessLog {
    /** The SLF4J logger the default sink writes to. */
    public static final String LOGGER_NAME = "dev.berth.access";

    /** Query parameters whose values are logged as they are: the registry API's own, none of them a secret. */
    public static final Set<String> VISIBLE_PARAMETERS = Set.of("digest", "mount", "from", "n", "last",
            "artifactType");

    static final String MASK = "***";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private AccessLog() {
    }

    /** The sink that writes each line to {@value #LOGGER_NAME} at INFO. */
    public static Consumer<String> slf4j() {
        return LOG::info;
    }

    /** The access log line of {@code request}. */
    public static String format(ObservedRequest request) {
        StringBuilder line = new StringBuilder(128);
        escape(request.remoteAddress() == null ? "-" : request.remoteAddress(), line);
        line.append(' ');
        escape(request.user() == null || request.user().isEmpty() ? "-" : request.user(), line);
        line.append(" \"");
        escape(request.method(), line);
        line.append(' ');
        escape(request.path(), line);
        if (request.query() != null) {
            line.append('?');
            escape(maskQuery(request.query()), line);
        }
        line.append("\" ").append(request.status())
                .append(' ').append(request.bytesReceived())
                .append(' ').append(request.bytesSent())
                .append(' ').append(TimeUnit.NANOSECONDS.toMillis(Math.max(0, request.durationNanos()))).append("ms");
        return line.toString();
    }

    /**
     * The raw query with every value not in {@link #VISIBLE_PARAMETERS} replaced by {@value #MASK}. A parameter
     * without '=' is itself masked unless its name is visible: a bare token is a value too.
     */
    static String maskQuery(String query) {
        StringBuilder masked = new StringBuilder(query.length());
        String[] pairs = query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                masked.append('&');
            }
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (VISIBLE_PARAMETERS.contains(name)) {
                masked.append(pair);
            } else if (eq < 0) {
                masked.append(pair.isEmpty() ? "" : MASK);
            } else {
                masked.append(name).append('=').append(MASK);
            }
        }
        return masked.toString();
    }

    /** Appends {@code s} with control characters, quotes and backslashes as {@code \xNN}. */
    private static void escape(String s, StringBuilder into) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (c >= 0x80 && c <= 0x9f)
                    || c == '\u2028' || c == '\u2029') {
                into.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                into.append(c);
            }
        }
    }
}
