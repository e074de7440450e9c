package dev.berth.registry.diagnostics;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * URLs as Berth prints them: in logs, in error details sent to clients, in configuration errors.
 *
 * <p><b>Redaction</b> keeps what tells an operator which URL and which account is meant, and masks what authenticates:
 * {@code http://user:secret@host/path?token=abc#frag} prints as {@code http://user:***@host/path?token=***}. The user
 * name stays, because "which account did it log in as" is half of diagnosing a 401, and a user name is not a
 * credential; the {@code ***} shows that a password is configured (dropping the user info entirely would make a URL
 * with credentials look like one without). User info without a colon ({@code https://TOKEN@host}, how tokens are
 * often embedded) is masked whole. Query values are masked too, and a query item without a value whole (webhook URLs
 * carry tokens there); the fragment, never sent to a server, is dropped. Host, port and path are kept as they are.
 *
 * <p>Thread-safe: stateless.
 */
public final class Urls {
    /** The mask that stands for a secret. */
    public static final String MASK = "***";

    /** {@code scheme://userinfo@} anywhere in a text; greedy to the authority's last {@code @}. */
    private static final Pattern USER_INFO_IN_TEXT = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/?#\\s]*)@");

    private Urls() {
    }

    /** {@code uri} safe to print (see the class comment); null prints as {@code null}. */
    public static String redact(URI uri) {
        if (uri == null) {
            return "null";
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null) {
            return redactText(uri.toString());
        }
        if (uri.getHost() == null) {
            // An authority Java cannot split into user, host and port: mask whatever precedes its last '@'.
            return redactText(withoutFragment(uri.toString()));
        }
        StringBuilder b = new StringBuilder();
        if (uri.getScheme() != null) {
            b.append(uri.getScheme()).append(':');
        }
        b.append("//");
        if (uri.getRawUserInfo() != null) {
            b.append(maskUserInfo(uri.getRawUserInfo())).append('@');
        }
        b.append(uri.getHost()); // an IPv6 literal keeps its brackets
        if (uri.getPort() >= 0) {
            b.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            b.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            b.append('?').append(maskQuery(uri.getRawQuery()));
        }
        return b.toString();
    }

    /** A URL given as text, safe to print; text that is not a URL has any user info in it masked all the same. */
    public static String redact(String url) {
        if (url == null) {
            return "null";
        }
        try {
            return redact(new URI(url.trim()));
        } catch (URISyntaxException e) {
            return redactText(url);
        }
    }

    /**
     * {@code text} with the user info of every URL in it masked, the rest unchanged: for messages written by others
     * (an exception's, say) that may quote a URL.
     */
    public static String redactText(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        Matcher m = USER_INFO_IN_TEXT.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + maskUserInfo(m.group(2)) + "@"));
        }
        m.appendTail(b);
        return b.toString();
    }

    /**
     * {@code host:port} as it goes into a URL or an address: an IPv6 literal in brackets ({@code [::1]:5000}), as
     * RFC 3986 writes it and as Go's {@code net.JoinHostPort} does; a name or an IPv4 address as it is.
     */
    public static String hostPort(String host, int port) {
        return urlHost(host) + ":" + port;
    }

    /** A host as it goes into a URL: an IPv6 literal in brackets, anything else as it is. */
    public static String urlHost(String host) {
        if (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
            return "[" + host + "]";
        }
        return host;
    }

    private static String maskUserInfo(String userInfo) {
        int colon = userInfo.indexOf(':');
        return colon < 0 ? MASK : userInfo.substring(0, colon) + ":" + MASK;
    }

    private static String maskQuery(String query) {
        StringBuilder b = new StringBuilder();
        for (String pair : query.split("&", -1)) {
            if (b.length() > 0) {
                b.append('&');
            }
            int eq = pair.indexOf('=');
            b.append(eq < 0 ? (pair.isEmpty() ? "" : MASK) : pair.substring(0, eq + 1) + MASK);
        }
        return b.toString();
    }

    private static String withoutFragment(String url) {
        int hash = url.indexOf('#');
        return hash < 0 ? url : url.substring(0, hash);
    }
}
