package dev.berth.registry.servlet;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistryException;
import dev.berth.registry.Repository;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI Distribution API (Docker Registry HTTP API v2) over a {@link Registry}, as a Jakarta Servlet 6 servlet.
 * Mount it at {@code /*} of any context: it answers {@code <context>/v2/...}. It is a thin router: parse the path,
 * make one call to the core, write headers and body. Every failure becomes the spec's JSON error body with the status
 * of its code; a failure that is not the client's is logged here and answered 500 without details.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new RegistryServlet(registry)), "/*");
 * }</pre>
 */
public class RegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServlet.class);

    private final transient Registry registry;
    private final transient ServletOptions options;

    public RegistryServlet(Registry registry) {
        this(registry, ServletOptions.DEFAULTS);
    }

    public RegistryServlet(Registry registry, ServletOptions options) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.options = Objects.requireNonNull(options, "options");
    }

    static void commonHeaders(HttpServletResponse response, ServletOptions options) {
        response.setHeader("Docker-Distribution-API-Version", "registry/2.0");
        response.setHeader("X-Content-Type-Options", "nosniff");
        options.headers().forEach((name, values) -> {
            response.setHeader(name, null);
            values.forEach(v -> response.addHeader(name, v));
        });
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Exchange x = new Exchange(request, response, options);
        commonHeaders(response, options);
        try {
            String path = request.getRequestURI().substring(request.getContextPath().length());
            dispatch(x, Route.parse(path), request.getMethod());
        } catch (RegistryException e) {
            if (e.code().httpStatus() >= 500) {
                LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage(), e);
            }
            x.error(e);
        } catch (IOException e) {
            // Mostly a client that went away mid-body; an upload keeps what arrived and can be resumed.
            LOG.debug("{} {}: I/O error: {}", request.getMethod(), request.getRequestURI(), e.toString());
            x.error(ErrorCode.BLOB_UPLOAD_INVALID, "the request body could not be read: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
            x.error(ErrorCode.UNKNOWN, "internal error; the server's log has the details");
        }
    }

    private void dispatch(Exchange x, Route route, String method) throws IOException {
        Repository repo = route.name() == null ? null : registry.repository(route.name());
        switch (route.kind()) {
            case BASE -> {
                requireMethod(method, "GET", "HEAD");
                x.json(200, "application/json", Map.of());
            }
            case CATALOG -> {
                requireMethod(method, "GET", "HEAD");
                ListEndpoints.catalog(x, registry, options.catalogMaxEntries());
            }
            case TAGS -> {
                requireMethod(method, "GET", "HEAD");
                ListEndpoints.tags(x, repo);
            }
            case REFERRERS -> {
                requireMethod(method, "GET", "HEAD");
                ListEndpoints.referrers(x, repo, Digest.parse(route.argument()));
            }
            case MANIFEST -> {
                Reference reference = Reference.parse(route.argument());
                switch (method) {
                    case "GET", "HEAD" -> ManifestEndpoints.get(x, repo, reference);
                    case "PUT" -> ManifestEndpoints.put(x, repo, reference);
                    case "DELETE" -> ManifestEndpoints.delete(x, repo, reference);
                    default -> throw methodNotAllowed(method);
                }
            }
            case BLOB -> {
                Digest digest = Digest.parse(route.argument());
                switch (method) {
                    case "GET", "HEAD" -> BlobEndpoints.get(x, repo, digest);
                    case "DELETE" -> BlobEndpoints.delete(x, repo, digest);
                    default -> throw methodNotAllowed(method);
                }
            }
            case UPLOADS -> {
                requireMethod(method, "POST");
                UploadEndpoints.start(x, repo);
            }
            case UPLOAD -> {
                String id = route.argument();
                switch (method) {
                    case "GET" -> UploadEndpoints.status(x, repo, id);
                    case "PATCH" -> UploadEndpoints.append(x, repo, id);
                    case "PUT" -> UploadEndpoints.commit(x, repo, id);
                    case "DELETE" -> UploadEndpoints.cancel(x, repo, id);
                    default -> throw methodNotAllowed(method);
                }
            }
            default -> throw new IllegalStateException("unrouted " + route);
        }
    }

    private static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw methodNotAllowed(method);
    }

    private static RegistryException methodNotAllowed(String method) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "method " + method + " is not allowed here");
    }
}
