package dev.berth.server.observe;

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
        Request.addCompletionListener(request, failure -> completed(request, response));
        return super.handle(request, response, callback);
    }

    private void completed(Request request, Response response) {
        ObservedRequest observed;
        try {
            observed = observe(request, response);
        } catch (RuntimeException e) {
            LOG.warn("could not observe a request: {}", e.toString());
            return;
        }
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
