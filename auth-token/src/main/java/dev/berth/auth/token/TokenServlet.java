package dev.berth.auth.token;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token endpoint of Berth's built-in token server (mount it at {@code /auth/token}, the realm the registry's
 * {@link TokenAuthenticator} sends clients to).
 *
 * <p><b>GET</b> (what docker, podman, skopeo and containerd do with a user name and password):
 * {@code ?service=S&scope=repository:app:pull,push&scope=...&account=alice}, with the user's credentials as
 * {@code Authorization: Basic}. Several {@code scope} parameters may be given and each may hold several scopes
 * separated by spaces. The credentials are checked by the given {@link Authenticator} (htpasswd, in production).
 * Without credentials the client is anonymous and gets a token with what anonymous clients may do (possibly
 * nothing). Answers 200 {@code {"token","access_token","expires_in","issued_at"}}; 401 with
 * {@code WWW-Authenticate: Basic} for bad credentials; 400 for an unknown {@code service}, a malformed scope or an
 * {@code account} that is not the authenticated user. A missing {@code service} means this issuer's service.
 *
 * <p><b>POST</b> (the OAuth2 form of the spec): {@code grant_type=password} with {@code username},
 * {@code password}, {@code service}, {@code scope} (space-separated) and {@code client_id} is supported and answers
 * the same token (plus {@code scope}); bad credentials give 400 {@code invalid_grant} as RFC 6749 says. No refresh
 * tokens are issued, so {@code grant_type=refresh_token} (and anything else) is 400 {@code unsupported_grant_type}.
 *
 * <p>Every answer is {@code Cache-Control: no-store}: a token is a credential. Nothing secret is logged.
 */
public final class TokenServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TokenServlet.class);

    private final transient TokenIssuer issuer;
    private final transient Authenticator credentials;
    private final String basicRealm;
    private final Duration bodyTimeout;
    private final transient Consumer<String> limitListener;

    /**
     * @param issuer      signs the tokens and decides what they grant
     * @param credentials checks a client's {@code Basic} credentials (e.g. the htpasswd authenticator)
     * @param basicRealm  the realm of the {@code Basic} challenge sent with a 401
     */
    public TokenServlet(TokenIssuer issuer, Authenticator credentials, String basicRealm) {
        this(issuer, credentials, basicRealm, DEFAULT_BODY_TIMEOUT, limit -> { });
    }

    /**
     * @param bodyTimeout   how long a POST's form may take to arrive (zero: no limit)
     * @param limitListener told {@code body_size} or {@code body_timeout} when a form is refused (for metrics)
     */
    public TokenServlet(TokenIssuer issuer, Authenticator credentials, String basicRealm, Duration bodyTimeout,
            Consumer<String> limitListener) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.basicRealm = Objects.requireNonNull(basicRealm, "basicRealm");
        this.bodyTimeout = Objects.requireNonNull(bodyTimeout, "bodyTimeout");
        this.limitListener = Objects.requireNonNull(limitListener, "limitListener");
    }

    /** This endpoint with other bounds on a POST's form. */
    public TokenServlet withLimits(Duration timeout, Consumer<String> listener) {
        return new TokenServlet(issuer, credentials, basicRealm, timeout, listener);
    }

    /** How long a form may take by default. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);

    /** With the issuer's service as the Basic realm. */
    public TokenServlet(TokenIssuer issuer, Authenticator credentials) {
        this(issuer, credentials, issuer.service());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String service = Optional.ofNullable(req.getParameter("service")).orElse(issuer.service());
        if (!service.equals(issuer.service())) {
            error(resp, 400, "UNSUPPORTED", "unknown service (this token server issues tokens for '"
                    + issuer.service() + "')");
            return;
        }
        List<Scope> scopes;
        try {
            scopes = scopes(req.getParameterValues("scope"));
        } catch (IllegalArgumentException e) {
            error(resp, 400, "UNSUPPORTED", "malformed scope: " + Failures.describe(e));
            return;
        }
        Optional<Principal> principal;
        String header = req.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            principal = Optional.empty();
        } else {
            Authentication a = credentials.authenticate(request(req, header));
            if (a instanceof Authentication.Authenticated ok) {
                principal = Optional.of(ok.principal());
            } else if (a instanceof Authentication.Rejected r) {
                LOG.debug("token request from {} with bad credentials: {}", req.getRemoteAddr(), r.reason());
                resp.setHeader("WWW-Authenticate", "Basic realm=\"" + basicRealm.replace("\"", "\\\"") + "\"");
                error(resp, 401, "UNAUTHORIZED", "authentication failed: " + r.reason());
                return;
            } else {
                principal = Optional.empty();
            }
        }
        String account = req.getParameter("account");
        if (account != null && !account.isEmpty() && principal.isPresent()
                && !account.equals(principal.get().name())) {
            error(resp, 400, "DENIED", "account does not match the authenticated user");
            return;
        }
        TokenIssuer.IssuedToken token = issuer.issue(principal, service, scopes);
        write(resp, 200, tokenJson(token, false));
    }

    /**
     * Reads the form without holding a thread while the client is slow (when the container allows asynchronous
     * requests; the server registers this servlet so), at most {@value FormBody#MAX_BYTES} bytes within the body
     * timeout: 413 or 408 otherwise, and the connection is closed.
     */
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.isAsyncSupported()) {
            post(req, resp, req::getParameterValues);
            return;
        }
        boolean form = req.getContentType() != null
                && req.getContentType().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
        if (!form) {
            Map<String, List<String>> query = new HashMap<>();
            FormBody.parse(req.getQueryString(), query);
            post(req, resp, values(query));
            return;
        }
        FormBody.read(req, bodyTimeout, (outcome, parameters) -> {
            switch (outcome) {
                case READ -> post(req, resp, values(parameters));
                case TOO_LARGE -> {
                    limitListener.accept("body_size");
                    resp.setHeader("Connection", "close");
                    oauthError(resp, 413, "invalid_request", "the form is over " + FormBody.MAX_BYTES + " bytes");
                }
                case TIMED_OUT -> {
                    limitListener.accept("body_timeout");
                    resp.setHeader("Connection", "close");
                    oauthError(resp, 408, "invalid_request", "the form did not arrive within "
                            + bodyTimeout.toSeconds() + "s");
                }
                case FAILED -> LOG.debug("token request from {}: the form could not be read", req.getRemoteAddr());
                default -> throw new IllegalStateException(outcome.name());
            }
        });
    }

    private static Function<String, String[]> values(Map<String, List<String>> parameters) {
        return name -> {
            List<String> v = parameters.get(name);
            return v == null ? null : v.toArray(String[]::new);
        };
    }

    private void post(HttpServletRequest req, HttpServletResponse resp,
            Function<String, String[]> parameters) throws IOException {
        Function<String, String> param = name -> {
            String[] v = parameters.apply(name);
            return v == null || v.length == 0 ? null : v[0];
        };
        String grant = param.apply("grant_type");
        if (!"password".equals(grant)) {
            oauthError(resp, 400, "unsupported_grant_type", "only grant_type=password is supported"
                    + " (no refresh tokens are issued; use GET with Basic credentials)");
            return;
        }
        String service = Optional.ofNullable(param.apply("service")).orElse(issuer.service());
        if (!service.equals(issuer.service())) {
            oauthError(resp, 400, "invalid_request", "unknown service");
            return;
        }
        String username = param.apply("username");
        String password = param.apply("password");
        if (username == null || username.isEmpty() || password == null) {
            oauthError(resp, 400, "invalid_request", "username and password are required");
            return;
        }
        List<Scope> scopes;
        try {
            scopes = scopes(parameters.apply("scope"));
        } catch (IllegalArgumentException e) {
            oauthError(resp, 400, "invalid_scope", "malformed scope: " + Failures.describe(e));
            return;
        }
        // The form's credentials go through the same authenticator as Basic ones, as a Basic header.
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        Authentication a = credentials.authenticate(request(req, basic));
        if (!(a instanceof Authentication.Authenticated ok)) {
            LOG.debug("oauth token request from {} with bad credentials", req.getRemoteAddr());
            oauthError(resp, 400, "invalid_grant", "authentication failed");
            return;
        }
        TokenIssuer.IssuedToken token = issuer.issue(Optional.of(ok.principal()), service, scopes);
        write(resp, 200, tokenJson(token, true));
    }

    private static List<Scope> scopes(String[] values) {
        List<Scope> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                out.addAll(Scope.parseAll(v));
            }
        }
        return out;
    }

    /** The servlet request as the SPI sees it, with {@code Authorization} replaced by {@code authorization}. */
    private static AuthRequest request(HttpServletRequest req, String authorization) {
        return new AuthRequest() {
            @Override
            public Optional<String> header(String name) {
                if (name.equalsIgnoreCase("Authorization")) {
                    return Optional.of(authorization);
                }
                return Optional.ofNullable(req.getHeader(name));
            }

            @Override
            public String remoteAddress() {
                return req.getRemoteAddr();
            }

            @Override
            public List<X509Certificate> clientCertificates() {
                Object certs = req.getAttribute("jakarta.servlet.request.X509Certificate");
                return certs instanceof X509Certificate[] a ? List.of(a) : List.of();
            }
        };
    }

    private static String tokenJson(TokenIssuer.IssuedToken t, boolean withScope) {
        StringBuilder b = new StringBuilder("{\"token\":").append(json(t.token()))
                .append(",\"access_token\":").append(json(t.token()))
                .append(",\"expires_in\":").append(t.expiresIn().toSeconds())
                .append(",\"issued_at\":").append(json(DateTimeFormatter.ISO_INSTANT.format(t.issuedAt())));
        if (withScope) {
            b.append(",\"scope\":").append(json(t.granted().stream().map(Scope::toString)
                    .collect(Collectors.joining(" "))));
        }
        return b.append('}').toString();
    }

    private static void error(HttpServletResponse resp, int status, String code, String message) throws IOException {
        write(resp, status, "{\"errors\":[{\"code\":" + json(code) + ",\"message\":" + json(message)
                + ",\"detail\":null}]}");
    }

    private static void oauthError(HttpServletResponse resp, int status, String error, String description)
            throws IOException {
        write(resp, status, "{\"error\":" + json(error) + ",\"error_description\":" + json(description) + "}");
    }

    private static void write(HttpServletResponse resp, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Pragma", "no-cache");
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
