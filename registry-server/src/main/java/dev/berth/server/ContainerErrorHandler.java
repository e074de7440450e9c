package dev.berth.server;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.servlet.RegistryErrorPages;
import dev.berth.server.observe.ObservingHandler;
import jakarta.servlet.RequestDispatcher;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request that Jetty refuses itself, before or around the registry's servlet: a URI it will not
 * decode ({@code /v2/%2e%2e/x}, {@code %00} or {@code %2f} in the path), a request line or header block over its
 * limits (414, 431), a request line it cannot parse (400), an unknown HTTP version (505), a query string the token
 * endpoint's parameters cannot be parsed from. Such a client gets the spec's JSON error body with
 * {@code Docker-Distribution-API-Version: registry/2.0} and the configured {@code http.headers}, as from the registry
 * itself, whatever its method or {@code Accept} header; never Jetty's HTML page, never a stack trace.
 *
 * <p>The status is the one Jetty chose. The body is {@link RegistryErrorPages#body}, the one embedders register in
 * their containers too; its error code, which the OCI spec limits to its own list (plus Berth's few, see
 * {@link ErrorCode}), follows from the status:
 * <table>
 * <caption>status to code</caption>
 * <tr><th>status</th><th>code</th><th>why</th></tr>
 * <tr><td>401, 403</td><td>UNAUTHORIZED, DENIED</td><td>the spec's codes for them</td></tr>
 * <tr><td>404</td><td>NOT_FOUND</td><td>no such endpoint, as the servlet answers an unknown path; not NAME_UNKNOWN,
 * which would claim a repository was looked up</td></tr>
 * <tr><td>413, 416, 429, 503</td><td>PAYLOAD_TOO_LARGE, RANGE_INVALID, TOOMANYREQUESTS, UNAVAILABLE</td>
 * <td>the codes with those statuses</td></tr>
 * <tr><td>any other 4xx (400 bad URI or request line, 414, 431, ...), 501, 505</td><td>UNSUPPORTED</td><td>the
 * spec's code for a request "unsupported due to a missing implementation or invalid set of parameters"; none of the
 * specific 400 codes (NAME_INVALID, DIGEST_INVALID, ...) can be claimed before the request was routed</td></tr>
 * <tr><td>any other 5xx</td><td>UNKNOWN</td><td>the server failed; the detail says no more than that</td></tr>
 * </table>
 * The {@code message} is the code's, as in every error body of the registry; the {@code detail} says what the
 * status means, with Jetty's reason ("Ambiguous URI path segment") for a client's mistake, and nothing of a failure
 * of the server, whose exception stays in its log.
 *
 * <p>Installed on the {@code Server} (requests refused before any handler, which it also reports to the
 * {@link ObservingHandler}: they count in the metrics and the access log) and on the servlet context (errors raised
 * inside it, which the observing handler sees itself). Thread-safe: holds only the configured headers and the
 * observer.
 */
final class ContainerErrorHandler extends ErrorHandler {
    private final Map<String, List<String>> headers;
    private final ObservingHandler observer;

    /** @param headers {@code http.headers}, sent with every response of the registry */
    ContainerErrorHandler(Map<String, List<String>> headers) {
        this(headers, null);
    }

    private ContainerErrorHandler(Map<String, List<String>> headers, ObservingHandler observer) {
        this.headers = Map.copyOf(headers);
        this.observer = observer;
    }

    /**
     * This handler for the {@code Server}, where it answers requests no handler saw: each is also reported to
     * {@code observer}, which counts it and writes its access log line.
     */
    ContainerErrorHandler observedBy(ObservingHandler observer) {
        return new ContainerErrorHandler(headers, observer);
    }

    /** The error code for a status the container answers with (see the class comment). */
    static ErrorCode codeFor(int status) {
        return RegistryErrorPages.codeFor(status);
    }

    /** Every method gets the body (Jetty's default leaves a PUT's or a DELETE's error empty); HEAD gets the headers. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = attribute(request, ERROR_MESSAGE, RequestDispatcher.ERROR_MESSAGE, String.class);
        Throwable cause = attribute(request, ERROR_EXCEPTION, RequestDispatcher.ERROR_EXCEPTION, Throwable.class);
        if (cause instanceof HttpException http) {
            status = http.getCode();
            if (reason == null) {
                reason = http.getReason();
            }
        }
        if (status < 400) {
            status = HttpStatus.INTERNAL_SERVER_ERROR_500; // an error without an error status is the server's
        }
        response.setStatus(status);
        generateCacheControl(response);
        response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        headers.forEach((name, values) -> {
            response.getHeaders().remove(name);
            values.forEach(v -> response.getHeaders().add(name, v));
        });
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if ("HEAD".equals(request.getMethod()) || HttpStatus.hasNoBody(status)) {
            observe(request, status, 0);
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            return true;
        }
        byte[] body = RegistryErrorPages.body(status, reason);
        observe(request, status, body.length);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private void observe(Request request, int status, long bytes) {
        if (observer != null) {
            observer.refused(request, status, bytes);
        }
    }

    /** Jetty's core attribute, or the servlet one when the error was raised inside the servlet context. */
    private static <T> T attribute(Request request, String core, String servlet, Class<T> type) {
        Object v = request.getAttribute(core);
        if (!type.isInstance(v)) {
            v = request.getAttribute(servlet);
        }
        return type.isInstance(v) ? type.cast(v) : null;
    }
}
