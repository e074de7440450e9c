package dev.berth.spring.boot.autoconfigure;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link BerthMetrics} one record per finished request to the registry's servlet: when the filter chain returns,
 * or, for a request that went asynchronous (blob bodies do), when its asynchronous work completes. Leaves the request
 * and the response as they are: nothing is wrapped.
 */
class BerthMetricsFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(BerthMetricsFilter.class);

    private final transient BerthMetrics metrics;

    BerthMetricsFilter(BerthMetrics metrics) {
        this.metrics = metrics;
    }

    /** Registered for the REQUEST dispatch only: it records the request once, when it completes. */
    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long start = System.nanoTime();
        boolean async = false;
        try {
            chain.doFilter(request, response);
            if (request.isAsyncStarted()) {
                async = true;
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        record(request, response, start);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        event.getAsyncContext().addListener(this);
                    }
                });
            }
        } finally {
            if (!async) {
                record(request, response, start);
            }
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, long start) {
        try {
            String length = response.getHeader("Content-Length");
            long sent = length == null ? 0 : parse(length);
            String path = request.getRequestURI().substring(request.getContextPath().length());
            metrics.record(request.getMethod(), path, request.getQueryString(), response.getStatus(),
                    System.nanoTime() - start, Math.max(0, request.getContentLengthLong()), sent);
        } catch (RuntimeException e) {
            LOG.warn("could not record metrics of a request: {}", e.toString());
        }
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
