package dev.berth.registry.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.auth.AuthenticationRequiredException;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request and its response, with the few things every endpoint needs: parameters, URLs, JSON and errors. */
final class Exchange {
    /** The body of an empty JSON object, which {@code GET /v2/} answers: written without {@link Json#MAPPER}. */
    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    /**
     * The JSON mapper, made when the first body needs it: a server's first answer ({@code GET /v2/}, usually) does
     * not wait for it.
     */
    static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {
        }
    }
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServlet.class);

    final HttpServletRequest request;
    final HttpServletResponse response;
    final ServletOptions options;
    private Map<String, List<String>> query;
    private String allow;

    Exchange(HttpServletRequest request, HttpServletResponse response, ServletOptions options) {
        this.request = request;
        this.response = response;
        this.options = options;
    }

    /**
     * Whether bodies are moved with the Servlet API's asynchronous I/O: whenever the container allows it (the server
     * registers the servlet with async supported; an embedder should too). Otherwise the servlet blocks a thread per
     * transfer, as before.
     */
    boolean async() {
        return request.isAsyncSupported();
    }

    boolean isHead() {
        return "HEAD".equals(request.getMethod());
    }

    /** The first value of a query parameter, or null when absent or empty. */
    String param(String name) {
        List<String> values = params(name);
        return values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    /**
     * Every value of a query parameter. Parsed from the query string only: the servlet API's getParameter would read
     * a form-encoded body (what curl sends by default) and so swallow an upload.
     */
    List<String> params(String name) {
        return query().getOrDefault(name, List.of());
    }

    /**
     * The query string's parameters, decoded. A query string that is not well-formed (a '%' not followed by two hex
     * digits, which RFC 3986 does not allow in a URI) makes the whole request a client's mistake: 400, whatever the
     * endpoint and whether it reads that parameter, with the code of what the parameter means ({@link #malformed}).
     * The servlet calls this for every request before dispatching it, so no endpoint sees half a query.
     */
    Map<String, List<String>> query() {
        if (query == null) {
            Map<String, List<String>> parsed = new HashMap<>();
            String raw = request.getQueryString();
            if (raw != null) {
                for (String pair : raw.split("&")) {
                    int eq = pair.indexOf('=');
                    String key = decode(eq < 0 ? pair : pair.substring(0, eq), null);
                    String value = eq < 0 ? "" : decode(pair.substring(eq + 1), key);
                    parsed.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
            }
            query = parsed;
        }
        return query;
    }

    /** Decodes one part of the query string; {@code key} is the parameter a value belongs to (null for a key). */
    private static String decode(String s, String key) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed(key);
        }
    }

    /**
     * A malformed query parameter, as a 400 with the code of what it holds: a page size, a digest, a tag, a
     * repository name; anything else (a malformed key, a parameter of no endpoint) is the spec's UNSUPPORTED ("an
     * invalid set of parameters").
     */
    private static RegistryException malformed(String key) {
        ErrorCode code = switch (key == null ? "" : key) {
            case "n" -> ErrorCode.PAGINATION_NUMBER_INVALID;
            case "digest", "mount" -> ErrorCode.DIGEST_INVALID;
            case "tag" -> ErrorCode.TAG_INVALID;
            case "from", "ns" -> ErrorCode.NAME_INVALID;
            default -> ErrorCode.UNSUPPORTED_PARAMETERS;
        };
        String which = code == ErrorCode.UNSUPPORTED_PARAMETERS ? "the query string" : "query parameter '" + key + "'";
        return new RegistryException(code, "malformed percent-encoding in " + which
                + ": '%' must be followed by two hex digits");
    }

    /**
     * An absolute URL for a path under this servlet, as the client reached it: behind a reverse proxy the scheme and
     * host come from {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}. A configured external URL wins over both;
     * with relative URLs on, the path alone.
     */
    String url(String path) {
        if (options.relativeUrls()) {
            return relative(path);
        }
        if (options.externalUrl().isPresent()) {
            return options.externalUrl().get() + request.getContextPath() + path;
        }
        String proto = first(request.getHeader("X-Forwarded-Proto"));
        String host = first(request.getHeader("X-Forwarded-Host"));
        if (proto == null) {
            proto = request.getScheme();
        }
        if (host == null) {
            host = request.getHeader("Host");
        }
        if (host == null) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return proto + "://" + host + request.getContextPath() + path;
    }

    /** A path under this servlet, for headers that clients resolve against the request (Link). */
    String relative(String path) {
        return request.getContextPath() + path;
    }

    private static String first(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        int comma = header.indexOf(',');
        return (comma >= 0 ? header.substring(0, comma) : header).trim();
    }

    void json(int status, String contentType, Object body) throws IOException {
        byte[] bytes = body instanceof Map<?, ?> m && m.isEmpty() ? EMPTY_OBJECT
                : Json.MAPPER.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType(contentType);
        response.setContentLength(bytes.length);
        if (!isHead()) {
            response.getOutputStream().write(bytes);
        }
    }

    /**
     * The methods the requested resource takes, sent as {@code Allow} with an UNSUPPORTED (405) answer, as HTTP
     * requires of a 405; the error body resets the other headers.
     */
    void allowOnError(String methods) {
        this.allow = methods;
    }

    void empty(int status) {
        response.setStatus(status);
        response.setContentLength(0);
    }

    /**
     * Answers a failure: a registry error with its code; an I/O error of a request with a body (mostly a client that
     * went away mid-body; an upload keeps what arrived and can be resumed) as BLOB_UPLOAD_INVALID, and one after the
     * answer began (a client that went away mid-response) with nothing more; anything else, an I/O error of a request
     * without a body among them (storage failed: it is not the client's doing), is logged and answered 500 without
     * details.
     */
    void fail(Throwable e) throws IOException {
        if (e instanceof RegistryException r) {
            if (r.code().httpStatus() >= 500) {
                LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), r.getMessage(), r);
            }
            error(r);
        } else if (e instanceof IOException && (hasBody() || response.isCommitted())) {
            LOG.debug("{} {}: I/O error: {}", request.getMethod(), request.getRequestURI(), e.toString());
            error(ErrorCode.BLOB_UPLOAD_INVALID, "the request body could not be read: " + Failures.describe(e));
        } else {
            LOG.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
            error(ErrorCode.UNKNOWN, "internal error; the server's log has the details");
        }
    }

    /** Whether the request declares a body: a positive Content-Length, or a Transfer-Encoding. */
    boolean hasBody() {
        long declared = request.getContentLengthLong();
        return declared > 0 || (declared < 0 && request.getHeader("Transfer-Encoding") != null);
    }

    /** As {@link #fail}, for callers that cannot throw: an answer that cannot be written is only logged. */
    void failQuietly(Throwable e) {
        try {
            fail(e);
        } catch (IOException | RuntimeException again) {
            LOG.debug("{} {}: could not answer the failure: {}", request.getMethod(), request.getRequestURI(),
                    again.toString());
        }
    }

    /** The spec's error body for a registry error, with the status of its code. */
    void error(RegistryException e) throws IOException {
        error(e.code(), e.detail(), e instanceof AuthenticationRequiredException auth ? auth.challenge() : null);
    }

    void error(ErrorCode code, String detail) throws IOException {
        error(code, detail, null);
    }

    private void error(ErrorCode code, String detail, String challenge) throws IOException {
        if (response.isCommitted()) {
            return; // too late for a body; the connection ends and the client sees a short response
        }
        String contentRange = response.getHeader("Content-Range"); // a 416's header, set by the endpoint
        String connection = response.getHeader("Connection"); // "close": the rest of the body will not be read
        response.reset();
        RegistryServlet.commonHeaders(response, options);
        if (connection != null) {
            response.setHeader("Connection", connection);
        }
        if (code == ErrorCode.RANGE_INVALID && contentRange != null) {
            response.setHeader("Content-Range", contentRange);
        }
        if (challenge != null) {
            response.setHeader("WWW-Authenticate", challenge);
        }
        if (code == ErrorCode.UNSUPPORTED && allow != null) {
            response.setHeader("Allow", allow);
        }
        response.setStatus(code.httpStatus());
        response.setContentType("application/json");
        byte[] body = RegistryErrorPages.body(code, detail);
        response.setContentLength(body.length);
        if (!isHead()) {
            response.getOutputStream().write(body);
        }
    }

    /** Reads a small body (a manifest), refusing more than {@code limit} bytes with PAYLOAD_TOO_LARGE. */
    byte[] smallBody(int limit, String what) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            drain(4L * limit);
            throw tooLarge(declared, limit, what);
        }
        byte[] bytes = request.getInputStream().readNBytes(limit + 1);
        if (bytes.length > limit) {
            drain(3L * limit);
            throw tooLarge(-1, limit, what);
        }
        return bytes;
    }

    /**
     * Reads and drops up to {@code max} more bytes of the request, so that a client still sending a body we refuse
     * receives our error instead of a reset connection. Past {@code max} the container closes the connection.
     * Returns whether the body ended within {@code max}.
     */
    boolean drain(long max) throws IOException {
        byte[] sink = new byte[64 << 10];
        long left = max;
        int n = 0;
        while (left > 0 && (n = request.getInputStream().read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
        return n < 0;
    }

    private static RegistryException tooLarge(long size, int limit, String what) {
        return new RegistryException(ErrorCode.PAYLOAD_TOO_LARGE, what + (size >= 0 ? " is " + size + " bytes" : "")
                + " over the limit of " + limit + " bytes");
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
