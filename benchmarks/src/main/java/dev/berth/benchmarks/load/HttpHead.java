package dev.berth.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The status line and headers of an HTTP/1.1 response, accumulated from a non-blocking socket. */
final class HttpHead {
    private static final int MAX_HEAD = 64 * 1024;

    final int status;
    private final Map<String, String> headers;

    private HttpHead(int status, Map<String, String> headers) {
        this.status = status;
        this.headers = headers;
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The Content-Length, or -1 when there is none. */
    long contentLength() {
        String v = header("content-length");
        return v == null ? -1 : Long.parseLong(v.trim());
    }

    boolean chunked() {
        String v = header("transfer-encoding");
        return v != null && v.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** Whether the server closes the connection after this response. */
    boolean closes() {
        String v = header("connection");
        return v != null && v.toLowerCase(Locale.ROOT).contains("close");
    }

    /** Parses a complete head (status line and header lines, without the blank line). */
    static HttpHead parse(String text) throws IOException {
        String[] lines = text.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + lines[0]);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + lines[0]);
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new HttpHead(status, headers);
    }

    /** The path and query of a Location header (absolute URLs are taken to point at the same server). */
    static String pathOf(String location) {
        if (location.startsWith("http://") || location.startsWith("https://")) {
            int slash = location.indexOf('/', location.indexOf("//") + 2);
            return slash < 0 ? "/" : location.substring(slash);
        }
        return location;
    }

    static ByteBuffer request(String method, String path, String hostHeader, String... extraHeaders) {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader).append("\r\nUser-Agent: berth-loadgen\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        b.append("\r\n");
        return ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Collects the bytes of a response head; {@link #offer} returns the head once the blank line is in, and the
     * bytes after it (the start of the body) stay readable in {@link #leftover()}.
     */
    static final class Accumulator {
        private byte[] buf = new byte[2048];
        private int len;
        private int leftoverStart = -1;

        /** Appends the readable bytes of {@code src}; returns the head when it is complete, else null. */
        HttpHead offer(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (len + n > MAX_HEAD) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            src.get(buf, len, n);
            int from = Math.max(0, len - 3);
            len += n;
            for (int i = from; i + 3 < len; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    HttpHead head = parse(new String(buf, 0, i, StandardCharsets.ISO_8859_1));
                    leftoverStart = i + 4;
                    if (head.status >= 100 && head.status < 200) { // an interim response: the real one follows
                        byte[] rest = Arrays.copyOfRange(buf, leftoverStart, len);
                        reset();
                        return offer(ByteBuffer.wrap(rest));
                    }
                    return head;
                }
            }
            return null;
        }

        /** The number of body bytes that came with the head. */
        int leftover() {
            return leftoverStart < 0 ? 0 : len - leftoverStart;
        }

        void reset() {
            len = 0;
            leftoverStart = -1;
        }
    }
}
