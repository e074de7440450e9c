package dev.berth.registry.servlet;

import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Principal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI Distribution API (Docker Registry HTTP API v2) over a {@link Registry}, as a Jakarta Servlet 6 servlet.
 * Mount it at {@code /*} of any context: it answers {@code <context>/v2/...}. It is a thin router: parse the path,
 * make one call to the core, write headers and body. Every failure becomes the spec's JSON error body with the status
 * of its code; a failure that is not the client's is logged here and answered 500 without details.
 *
 * <p>Every request goes through the {@link AccessGuard} first (by default {@link AccessGuard#OPEN}, no
 * authentication): {@code GET /v2/} answers 401 and the challenge to an anonymous caller when authentication is on,
 * and each endpoint requires the actions it does on its repository ({@code pull} to read; {@code pull} and
 * {@code push} to upload or put a manifest, as distribution requires; {@code delete} to delete); the catalog lists
 * only the repositories the caller may pull. The caller's name is left in the request attribute
 * {@value #USER_ATTRIBUTE} for access logs.
 *
 * <p>The registry raises the events of what a request does ({@link Registry.Builder#events}); the servlet passes the
 * core each request's {@link RequestContext} (its id, the client's address, host, method and user agent, the caller,
 * and the URL the client reached the registry at), so that they say who asked.
 *
 * <p>Beside the spec's endpoints, Berth's admin endpoint {@code DELETE /v2/_berth/repositories/<name>} deletes a
 * whole repository ({@link Registry#deleteRepository}) and answers 202 Accepted; it needs {@code delete} on that
 * repository, and answers 405 UNSUPPORTED when deletes are disabled, 404 NAME_UNKNOWN for an unknown repository and
 * 403 DENIED when the repository holds an immutable tag.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new RegistryServlet(registry)), "/*");
 * context.addServlet(new ServletHolder(new RegistryServlet(registry, ServletOptions.DEFAULTS, guard)), "/*");
 * }</pre>
 */
public class RegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServlet.class);

    private final transient Registry registry;
    private final transient ServletOptions options;
    private final transient AccessGuard guard;

    /** The request attribute that holds the authenticated caller's name (absent for an anonymous one). */
    public static final String USER_ATTRIBUTE = "dev.berth.user";

    private static final EnumSet<Action> PULL = EnumSet.of(Action.PULL);
    private static final EnumSet<Action> PULL_PUSH = EnumSet.of(Action.PULL, Action.PUSH);
    private static final EnumSet<Action> DELETE = EnumSet.of(Action.DELETE);

    public RegistryServlet(Registry registry) {
        this(registry, ServletOptions.DEFAULTS);
    }

    public RegistryServlet(Registry registry, ServletOptions options) {
        this(registry, options, AccessGuard.OPEN);
    }

    public RegistryServlet(Registry registry, ServletOptions options, AccessGuard guard) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.options = Objects.requireNonNull(options, "options");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    static void commonHeaders(HttpServletResponse response, ServletOptions options) {
        response.setHeader(RegistryErrorPages.API_VERSION_HEADER, RegistryErrorPages.API_VERSION);
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
            Optional<Principal> caller = guard.identify(authRequest(request));
            caller.filter(p -> !p.anonymous()).ifPresent(p -> request.setAttribute(USER_ATTRIBUTE, p.name()));
            String path = request.getRequestURI().substring(request.getContextPath().length());
            Route route = Route.parse(path);
            x.query(); // a malformed query string is refused here, for every endpoint alike
            // containerd's mirror hint: ?ns=docker.io asks for docker.io's library/alpine
            route = route.namespaced(x.param("ns"), registry.upstreams());
            x.allowOnError(allowedMethods(route));
            dispatch(x, route, request.getMethod(), caller);
        } catch (IOException | RuntimeException e) {
            if (AsyncDrain.needed(x)) {
                AsyncDrain.thenFail(x, e); // refused before its body was read: the client gets to finish sending
            } else {
                x.fail(e);
            }
        }
    }

    /**
     * Checks access, then calls the endpoint. The check comes before anything is parsed that could tell an
     * unauthorized caller whether a manifest, blob or upload exists; a wrong method is refused only after it.
     */
    private void dispatch(Exchange x, Route route, String method, Optional<Principal> caller) throws IOException {
        // What the core's events say of this request; only a request about a repository can raise one.
        RequestContext context = route.name() == null ? null : RequestContexts.of(x, caller);
        Repository repo = route.name() == null ? null : registry.repository(route.name(), context);
        switch (route.kind()) {
            case BASE -> {
                guard.requireBase(caller);
                requireMethod(method, "GET", "HEAD");
                x.json(200, "application/json", Map.of());
            }
            case CATALOG -> {
                var visible = guard.catalog(caller);
                requireMethod(method, "GET", "HEAD");
                ListEndpoints.catalog(x, registry, options.catalogMaxEntries(), visible);
            }
            case TAGS -> {
                guard.require(caller, route.name(), PULL, PULL);
                requireMethod(method, "GET", "HEAD");
                ListEndpoints.tags(x, repo);
            }
            case REFERRERS -> {
                guard.require(caller, route.name(), PULL, PULL);
                requireMethod(method, "GET", "HEAD");
                ListEndpoints.referrers(x, repo, route.digest());
            }
            case MANIFEST -> {
                switch (method) {
                    case "GET", "HEAD" -> {
                        guard.require(caller, route.name(), PULL, PULL);
                        ManifestEndpoints.get(x, repo, route.referenceToFind());
                    }
                    case "PUT" -> {
                        guard.require(caller, route.name(), PULL_PUSH, PULL_PUSH);
                        ManifestEndpoints.put(x, repo, route.reference());
                    }
                    case "DELETE" -> {
                        guard.require(caller, route.name(), DELETE, DELETE);
                        requireDeletes();
                        ManifestEndpoints.delete(x, repo, route.referenceToFind());
                    }
                    default -> {
                        guard.require(caller, route.name(), PULL, PULL);
                        throw methodNotAllowed(method);
                    }
                }
            }
            case BLOB -> {
                switch (method) {
                    case "GET", "HEAD" -> {
                        guard.require(caller, route.name(), PULL, PULL);
                        BlobEndpoints.get(x, repo, route.digestToFind());
                    }
                    case "DELETE" -> {
                        guard.require(caller, route.name(), DELETE, DELETE);
                        requireDeletes();
                        BlobEndpoints.delete(x, repo, route.digestToFind());
                    }
                    default -> {
                        guard.require(caller, route.name(), PULL, PULL);
                        throw methodNotAllowed(method);
                    }
                }
            }
            case UPLOADS -> {
                guard.require(caller, route.name(), PULL_PUSH, PULL_PUSH);
                requireMethod(method, "POST");
                // A mount reads the source repository, so the caller must be allowed to pull there; when not, the
                // spec's fallback applies and an ordinary upload session starts, telling nothing about the source.
                UploadEndpoints.start(x, repo, from -> guard.permits(caller, from, Action.PULL));
            }
            case UPLOAD -> {
                guard.require(caller, route.name(), PULL_PUSH, PULL_PUSH);
                String id = route.argument();
                switch (method) {
                    case "GET", "HEAD" -> UploadEndpoints.status(x, repo, id);
                    case "PATCH" -> UploadEndpoints.append(x, repo, id);
                    case "PUT" -> UploadEndpoints.commit(x, repo, id);
                    case "DELETE" -> UploadEndpoints.cancel(x, repo, id);
                    default -> throw methodNotAllowed(method);
                }
            }
            case ADMIN_REPOSITORY -> {
                // Berth's own: DELETE /v2/_berth/repositories/<name> deletes the whole repository.
                guard.require(caller, route.name(), DELETE, DELETE);
                requireMethod(method, "DELETE");
                registry.deleteRepository(route.name(), context);
                x.empty(202);
            }
            default -> throw new IllegalStateException("unrouted " + route);
        }
    }

    /**
     * What a resource takes, for the {@code Allow} header of a 405: a read-only registry takes no writes, and one
     * with deletes disabled no deletes (an upload's cancel is not a delete of content); a repository that is a
     * pull-through cache takes no pushes (no manifest PUT, no new upload).
     */
    private String allowedMethods(Route route) {
        Route.Kind kind = route.kind();
        boolean writable = !registry.readOnly();
        boolean deletes = writable && registry.deletesEnabled();
        boolean pushes = writable && !((kind == Route.Kind.MANIFEST || kind == Route.Kind.UPLOADS)
                && route.name() != null && registry.upstreams().stream()
                        .anyMatch(u -> u.remoteName(route.name()).isPresent()));
        List<String> methods = new ArrayList<>();
        switch (kind) {
            case BASE, CATALOG, TAGS, REFERRERS -> methods.addAll(List.of("GET", "HEAD"));
            case MANIFEST -> {
                methods.addAll(List.of("GET", "HEAD"));
                if (pushes) {
                    methods.add("PUT");
                }
                if (deletes) {
                    methods.add("DELETE");
                }
            }
            case BLOB -> {
                methods.addAll(List.of("GET", "HEAD"));
                if (deletes) {
                    methods.add("DELETE");
                }
            }
            case UPLOADS -> {
                if (pushes) {
                    methods.add("POST");
                }
            }
            case UPLOAD -> {
                methods.addAll(List.of("GET", "HEAD"));
                if (writable) {
                    methods.addAll(List.of("PATCH", "PUT", "DELETE"));
                }
            }
            case ADMIN_REPOSITORY -> {
                if (deletes) {
                    methods.add("DELETE");
                }
            }
            default -> throw new IllegalStateException("unrouted " + kind);
        }
        return String.join(", ", methods);
    }

    private static AuthRequest authRequest(HttpServletRequest request) {
        return new AuthRequest() {
            @Override
            public Optional<String> header(String name) {
                return Optional.ofNullable(request.getHeader(name));
            }

            @Override
            public String remoteAddress() {
                return request.getRemoteAddr();
            }

            @Override
            public List<X509Certificate> clientCertificates() {
                Object certs = request.getAttribute("jakarta.servlet.request.X509Certificate");
                return certs instanceof X509Certificate[] chain ? List.of(chain) : List.of();
            }
        };
    }

    /**
     * UNSUPPORTED (405) when the registry deletes nothing, before a delete's reference is looked at: a reference
     * that cannot exist is not found only where deleting is a thing the registry does.
     */
    private void requireDeletes() {
        if (registry.readOnly()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "this registry is in read-only mode (maintenance);"
                    + " pushes and deletes are refused, pulls work");
        }
        if (!registry.deletesEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled on this registry");
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
