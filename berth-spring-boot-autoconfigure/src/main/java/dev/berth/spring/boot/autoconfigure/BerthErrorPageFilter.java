package dev.berth.spring.boot.autoconfigure;

import dev.berth.registry.servlet.RegistryErrorPages;
import dev.berth.registry.servlet.ServletOptions;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The registry's error body for the errors the servlet container answers under {@code /v2/}: a filter's
 * {@code sendError} (Spring Security's 401 or 403, say), an exception that escaped a filter (500). The container
 * dispatches those to the application's error page (Boot's {@code /error}); registered for the ERROR dispatch, this
 * filter answers the ones whose request was for {@code /v2} or below with {@link RegistryErrorPages} (the spec's JSON
 * {@code errors} body, {@code Docker-Distribution-API-Version}, {@code berth.http.headers}) and passes every other
 * one on to the application's error handling.
 */
class BerthErrorPageFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private final RegistryErrorPages pages;

    BerthErrorPageFilter(ServletOptions options) {
        this.pages = new RegistryErrorPages(options);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (forRegistry(request)) {
            pages.service(request, response);
        } else {
            chain.doFilter(request, response);
        }
    }

    /** Whether the request that failed was for the registry's API. */
    static boolean forRegistry(HttpServletRequest request) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (!(uri instanceof String path) || !(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE)
                instanceof Integer)) {
            return false;
        }
        String context = request.getContextPath();
        String rest = context != null && !context.isEmpty() && path.startsWith(context)
                ? path.substring(context.length()) : path;
        return rest.equals("/v2") || rest.startsWith("/v2/");
    }
}
