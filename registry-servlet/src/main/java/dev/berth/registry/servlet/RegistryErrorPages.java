package dev.berth.registry.servlet;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.berth.registry.error.ErrorCode;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The registry's error body for errors that the servlet container answers itself, instead of {@link RegistryServlet}:
 * a path no servlet is mapped to (404), a method a default servlet refuses (405, 501), a filter's or a security
 * constraint's refusal (401, 403), an exception that escaped a filter (500). Registered as the error page of the
 * context that holds the registry, it gives those answers the spec's JSON body
 * {@code {"errors":[{"code":...,"message":...,"detail":...}]}} and the {@code Docker-Distribution-API-Version} header
 * (and the {@link ServletOptions#headers() extra headers} it is given), so that a client reads them as it reads the
 * registry's own errors:
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new RegistryErrorPages()), RegistryErrorPages.PATH);
 * ErrorPageErrorHandler errors = new ErrorPageErrorHandler() {   // Jetty 12; web.xml: <error-page><location>
 *     public boolean errorPageForMethod(String method) { return true; }   // Jetty's default: GET, POST, HEAD
 * };
 * errors.addErrorPage(400, 599, RegistryErrorPages.PATH);
 * context.setErrorHandler(errors);
 * }</pre>
 *
 * <p>The status is the container's; the body's code is the closest one of the registry's ({@link #codeFor}):
 * <table>
 *   <caption>status to code</caption>
 *   <tr><td>401</td><td>UNAUTHORIZED</td></tr>
 *   <tr><td>403</td><td>DENIED</td></tr>
 *   <tr><td>404</td><td>NOT_FOUND (no such endpoint, as {@link RegistryServlet} answers an unknown path)</td></tr>
 *   <tr><td>405, 501, 505</td><td>UNSUPPORTED (a method refused, or one the container does not know; an HTTP
 *   version it does not speak)</td></tr>
 *   <tr><td>413</td><td>PAYLOAD_TOO_LARGE</td></tr>
 *   <tr><td>416</td><td>RANGE_INVALID</td></tr>
 *   <tr><td>429</td><td>TOOMANYREQUESTS</td></tr>
 *   <tr><td>400, 414, 431 and every other 4xx</td><td>UNSUPPORTED (the spec's code for "an invalid set of
 *       parameters": the request as sent cannot be taken)</td></tr>
 *   <tr><td>503</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>500 and every other status</td><td>UNKNOWN</td></tr>
 * </table>
 * The detail says what the status means in words; for a 4xx the container's own reason is added when it gives one.
 *
 * <p>Jetty 12 and Tomcat 11 answer a request they cannot parse (a malformed or ambiguous URI: 400; a URI or headers
 * too long: 414, 431) before any context is chosen, so no error page sees it. For those, a server-level handler writes
 * {@link #body} itself; in Jetty 12:
 *
 * <pre>{@code
 * server.setErrorHandler(new ErrorHandler() {
 *     public boolean errorPageForMethod(String method) { return true; }   // PUT and PATCH get a body too
 *     protected void generateResponse(Request request, Response response, int status, String message,
 *             Throwable cause, Callback callback) {
 *         response.getHeaders().put(RegistryErrorPages.API_VERSION_HEADER, RegistryErrorPages.API_VERSION);
 *         response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
 *         response.write(true, ByteBuffer.wrap(RegistryErrorPages.body(status, message)), callback);
 *     }
 * });
 * }</pre>
 *
 * <p>Requested directly, outside an error dispatch, it answers 404 NOT_FOUND, as for any path that is no endpoint.
 * Thread-safe.
 */
public class RegistryErrorPages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** A path for the servlet and its error pages that no registry endpoint uses (endpoints are under /v2/). */
    public static final String PATH = "/_berth/error";
    /** The header every registry answer carries, and its value. */
    public static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    public static final String API_VERSION = "registry/2.0";

    private final transient ServletOptions options;

    public RegistryErrorPages() {
        this(ServletOptions.DEFAULTS);
    }

    /** With the registry's options, so that error pages carry the same extra headers as its answers. */
    public RegistryErrorPages(ServletOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // Every method: an error dispatch keeps the method of the request that failed (a PUT, a PATCH...).
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object reason = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        if (status instanceof Integer code) {
            write(request, response, options, code, reason instanceof String s ? s : null);
        } else { // requested as a path of its own
            write(request, response, options, 404, null);
        }
    }

    /**
     * The registry's error code for an answer of {@code status} that the registry did not choose itself; see the
     * class comment for the table.
     */
    public static ErrorCode codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.DENIED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405, 501, 505 -> ErrorCode.UNSUPPORTED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 416 -> ErrorCode.RANGE_INVALID;
            case 429 -> ErrorCode.TOOMANYREQUESTS;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 400 && status < 500 ? ErrorCode.UNSUPPORTED_PARAMETERS : ErrorCode.UNKNOWN;
        };
    }

    /**
     * The spec's JSON error body (UTF-8) for an answer of {@code status}: the code {@link #codeFor} gives, and a
     * detail that says what the status means, with the container's {@code reason} (may be null) for a client error.
     */
    public static byte[] body(int status, String reason) {
        return body(codeFor(status), detail(status, reason));
    }

    /**
     * Answers {@code status} with the registry's headers and error body (the body is left out for a HEAD request) on
     * a response that is not committed yet, dropping what its buffer held.
     */
    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String reason)
            throws IOException {
        write(request, response, ServletOptions.DEFAULTS, status, reason);
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, ServletOptions options,
            int status, String reason) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        RegistryServlet.commonHeaders(response, options);
        response.setStatus(status);
        byte[] bytes = body(status, reason);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(bytes);
        }
    }

    /** The one place the error body is spelled. */
    static byte[] body(ErrorCode code, String detail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = Exchange.Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("errors");
            g.writeStartObject();
            g.writeStringField("code", code.value());
            g.writeStringField("message", code.message());
            g.writeStringField("detail", detail == null ? "" : detail);
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * What a container's error status means, in words, with the container's reason for a client error (never for a
     * server error, whose reason may be an exception's message with internals in it).
     */
    private static String detail(int status, String reason) {
        String meaning = switch (status) {
            case 400 -> "the server could not take the request as sent (a malformed or ambiguous URI, say)";
            case 404 -> "no such endpoint of the registry API";
            case 405 -> "the method is not allowed here";
            case 501 -> "the method is not implemented here";
            case 505 -> "the HTTP version is not supported";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request body is larger than the server accepts";
            case 414 -> "the request URI is longer than the server accepts";
            case 431 -> "the request headers are larger than the server accepts";
            case 503 -> "the server is not available now";
            default -> status >= 500 ? "the server failed; its log has the details" : "the request was refused";
        };
        if ((status >= 500 && status != 505) || reason == null || reason.isBlank()) {
            return meaning;
        }
        String shown = reason.length() > 200 ? reason.substring(0, 197) + "..." : reason;
        return meaning + " (" + shown.replaceAll("\\p{Cntrl}", "?") + ")";
    }
}
