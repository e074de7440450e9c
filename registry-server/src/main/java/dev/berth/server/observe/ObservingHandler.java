package dev.berth.server.observe;

import dev.berth.registry.servlet.RegistryRoute;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty handler that wraps the registry's handler (the {@code ServletContextHandler} serving {@code
 * RegistryServlet}) and, when each request completes, feeds {@link RegistryMetrics} and writes an {@link AccessLog}
 * line. Wiring:
 *
 * <pre>{@code
 * ServletContextHandler context = ...;               // RegistryServlet at "/*", as in BerthServer
 * server.setHandler(new ObservingHandler(metrics, AccessLog.slf4j(), context));
 * }</pre>
 *
 * <p><b>What it promises:</b> responses are left exactly as the wrapped handler makes them (no header, status or byte
 * is touched: it only registers a completion listener); every request is observed once, also those that fail or that
 * the wrapped handler does not take (Jetty then answers 404 itself); a metrics or log sink that throws is logged and
 * swallowed, never turned into a failed request. Bytes are content bytes as Jetty counts them
 * ({@link Request#getContentBytesRead}, {@link Response#getContentBytesWritten}); the duration runs from when Jetty
 * began the request to its completion, so it includes the time the client took to send and receive.
 *
 * <p>Paths are classified relative to the wrapped handler's context path when it is a {@link ContextHandler}, so the
 * registry may be mounted below {@code /}. The user is the request attribute {@value #USER_ATTRIBUTE}, which
 * authentication sets; it is read at completion, so a servlet setting it works.
 */
public final class ObservingHandler extends Handler.Wrapper {
    /** The request attribute holding the authenticated user's name (any object; its {@code toString} is logged). */
    public static final String USER_ATTRIBUTE = "dev.berth.user";

    private static final Logger LOG = LoggerFactory.getLogger(ObservingHandler.class);

    private final RegistryMetrics metrics;
    private final Consumer<String> accessLog;
    /** Set on every request this handler observes, so that {@link #refused} does not count it again. */
    private static final String OBSERVED_ATTRIBUTE = ObservingHandler.class.getName() + ".observed";

    /**
     * Observes the requests {@code handler} serves: metrics into {@code metrics}, access log lines into {@code
     * accessLog} ({@link AccessLog#slf4j()} for the {@value AccessLog#LOGGER_NAME} logger; {@code line -> {}} for none).
     */
    public ObservingHandler(RegistryMetrics metrics, Consumer<String> accessLog, Handler handler) {
        super(Objects.requireNonNull(handler, "handler"));
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
    }

    /** As {@link #ObservingHandler(RegistryMetrics, Consumer, Handler)}, logging to {@value AccessLog#LOGGER_NAME}. */
    public ObservingHandler(RegistryMetrics metrics, Handler handler) {
        this(metrics, AccessLog.slf4j(), handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // Registered before handling so that a handler that throws, or declines, is still observed.
        request.setAttribute(OBSERVED_ATTRIBUTE, Boolean.TRUE);
        Request.addCompletionListener(request, failure -> completed(request, response));
        return super.handle(request, response, callback);
    }

    /**
     * Observes a request that Jetty answered itself before any handler saw it (a request line or header block it
     * could not parse, one over its limits, an unknown HTTP version), with the status it answers: counted in the
     * metrics and written to the access log as the registry's own answers are, so that what a client was refused is
     * seen. The server's error handler calls it; a request this handler saw already is not counted twice.
     *
     * @param status the status Jetty answers
     * @param bytesSent the length of the error body about to be written
     */
    public void refused(Request request, int status, long bytesSent) {
        if (request.getAttribute(OBSERVED_ATTRIBUTE) != null) {
            return;
        }
        ObservedRequest observed;
        try {
            HttpURI uri = request.getHttpURI();
            String path = uri == null || uri.getPath() == null ? "/" : uri.getPath();
            String method = request.getMethod() == null ? "-" : request.getMethod();
            long begin = request.getBeginNanoTime();
            observed = new ObservedRequest(Request.getRemoteAddr(request), method, path,
                    uri == null ? null : uri.getQuery(), RegistryRoute.OTHER, status, 0, bytesSent,
                    begin == 0 ? 0 : System.nanoTime() - begin, null);
        } catch (RuntimeException e) {
            LOG.warn("could not observe a refused request: {}", e.toString());
            return;
        }
        record(observed);
    }

    private void completed(Request request, Response response) {
        ObservedRequest observed;
        try {
            observed = observe(request, response);
        } catch (RuntimeException e) {
            LOG.warn("could not observe a request: {}", e.toString());
            return;
        }
        record(observed);
    }

    private void record(ObservedRequest observed) {
        try {
            metrics.record(observed);
        } catch (RuntimeException e) {
            LOG.warn("could not record metrics of a request: {}", e.toString());
        }
        try {
            accessLog.accept(AccessLog.format(observed));
        } catch (RuntimeException e) {
            LOG.warn("could not write an access log line: {}", e.toString());
        }
    }

    private ObservedRequest observe(Request request, Response response) {
        long duration = System.nanoTime() - request.getBeginNanoTime();
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath() == null ? "/" : uri.getPath();
        Object user = request.getAttribute(USER_ATTRIBUTE);
        String contextPath = getHandler() instanceof ContextHandler c ? c.getContextPath() : "/";
        return new ObservedRequest(Request.getRemoteAddr(request), request.getMethod(), path, uri.getQuery(),
                route(contextPath, path), response.getStatus(), Request.getContentBytesRead(request),
                Response.getContentBytesWritten(response), duration, user == null ? null : user.toString());
    }

    /** The route of {@code path} relative to {@code contextPath}; OTHER outside it. */
    static RegistryRoute route(String contextPath, String path) {
        if (contextPath == null || contextPath.isEmpty() || contextPath.equals("/")) {
            return RegistryRoute.classify(path);
        }
        return path.startsWith(contextPath + "/") ? RegistryRoute.classify(path.substring(contextPath.length()))
                : RegistryRoute.OTHER;
    }
}
