package dev.berth.auth.token;

import static dev.berth.auth.token.TestPki.ISSUER;
import static dev.berth.auth.token.TestPki.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The token endpoint in a real Jetty 12 on a free loopback port, called with java.net.http. */
class TokenServletTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static Server server;
    static ServerConnector connector;
    static TokenIssuer issuer;
    static TokenAuthenticator registry;

    /** alice:secret and bob:hunter2, checked like htpasswd would (for the test, plainly). */
    static final Authenticator USERS = new Authenticator() {
        final Map<String, String> passwords = Map.of("alice", "secret", "bob", "hunter2");

        @Override
        public Authentication authenticate(AuthRequest request) {
            String h = request.header("Authorization").orElse(null);
            if (h == null) {
                return Authentication.ANONYMOUS;
            }
            if (!h.startsWith("Basic ")) {
                return Authentication.rejected("basic credentials expected");
            }
            String[] up = new String(Base64.getDecoder().decode(h.substring(6)), StandardCharsets.UTF_8)
                    .split(":", 2);
            return up.length == 2 && up[1].equals(passwords.get(up[0]))
                    ? Authentication.authenticated(Principal.user(up[0]))
                    : Authentication.rejected("wrong user name or password");
        }

        @Override
        public String challenge(List<Scope> wanted) {
            return "Basic realm=\"test\"";
        }
    };

    static final int THREADS = 24;
    static final List<String> LIMITS_HIT = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        issuer = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofMinutes(5), TokenIssuerTest.rules());
        // A small pool: slow clients must not be able to take its threads.
        server = new Server(new QueuedThreadPool(THREADS, 4));
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder(new TokenServlet(issuer, USERS, "Berth registry",
                Duration.ofSeconds(2), LIMITS_HIT::add));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/auth/token");
        server.setHandler(context);
        server.start();
        registry = issuer.authenticator(base() + "/auth/token");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    static String base() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String query, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/auth/token" + query))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> e : form.entrySet()) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base() + "/auth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static Principal tokenHolder(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> json = JSONObjectUtils.parse(response.body());
        Authentication a = registry.authenticate(AuthRequest.of(Map.of("Authorization",
                "Bearer " + json.get("token")), "127.0.0.1"));
        assertThat(a).isInstanceOf(Authentication.Authenticated.class);
        return ((Authentication.Authenticated) a).principal();
    }

    @Test
    void basicCredentialsGetAToken() throws Exception {
        HttpResponse<String> r = get("?service=" + q(SERVICE) + "&scope=" + q("repository:team/app:pull,push")
                + "&account=alice", basic("alice", "secret"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        Map<String, Object> json = JSONObjectUtils.parse(r.body());
        assertThat(json).containsKeys("token", "access_token", "expires_in", "issued_at");
        assertThat(json.get("access_token")).isEqualTo(json.get("token"));
        assertThat(((Number) json.get("expires_in")).longValue()).isEqualTo(300);
        Instant issuedAt = Instant.parse((String) json.get("issued_at")); // RFC 3339
        assertThat(issuedAt).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));
        Principal p = tokenHolder(r);
        assertThat(p.name()).isEqualTo("alice");
        assertThat(p.granted()).contains(List.of(Scope.parse("repository:team/app:pull,push")));
    }

    @Test
    void severalScopeParametersEachPossiblySpaceSeparated() throws Exception {
        HttpResponse<String> r = get("?service=" + q(SERVICE) + "&scope=" + q("repository:team/app:pull")
                + "&scope=" + q("repository:public/base:pull registry:catalog:*")
                + "&scope=" + q("repository:secret/db:pull"), basic("bob", "hunter2"));
        assertThat(tokenHolder(r).granted()).contains(List.of(Scope.parse("repository:team/app:pull"),
                Scope.parse("repository:public/base:pull"), Scope.CATALOG));
    }

    @Test
    void badCredentialsGet401WithABasicChallenge() throws Exception {
        HttpResponse<String> r = get("?service=" + q(SERVICE) + "&scope=" + q("repository:team/app:pull"),
                basic("alice", "wrong"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"Berth registry\"");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.body()).contains("\"code\":\"UNAUTHORIZED\"").doesNotContain("wrong\"");
        Map<String, Object> json = JSONObjectUtils.parse(r.body());
        assertThat(json).containsKey("errors");
    }

    @Test
    void anonymousGetsOnlyAnonymousGrants() throws Exception {
        HttpResponse<String> r = get("?service=" + q(SERVICE) + "&scope=" + q("repository:public/base:pull,push")
                + "&scope=" + q("repository:team/app:pull"), null);
        Principal p = tokenHolder(r);
        assertThat(p.name()).isEqualTo(TokenAuthenticator.ANONYMOUS_SUBJECT);
        assertThat(p.granted()).contains(List.of(Scope.parse("repository:public/base:pull")));
        // No scope at all (docker login): a token with nothing in it.
        assertThat(tokenHolder(get("?service=" + q(SERVICE), null)).granted()).contains(List.of());
        assertThat(tokenHolder(get("?service=" + q(SERVICE), basic("alice", "secret"))).name()).isEqualTo("alice");
    }

    @Test
    void badRequests() throws Exception {
        HttpResponse<String> wrongService = get("?service=other.registry&scope=" + q("repository:a/b:pull"),
                basic("alice", "secret"));
        assertThat(wrongService.statusCode()).isEqualTo(400);
        assertThat(wrongService.body()).contains("errors");
        assertThat(get("?service=" + q(SERVICE) + "&scope=nonsense", null).statusCode()).isEqualTo(400);
        assertThat(get("?service=" + q(SERVICE) + "&account=bob", basic("alice", "secret")).statusCode())
                .isEqualTo(400);
        // A missing service means this issuer's.
        assertThat(get("", null).statusCode()).isEqualTo(200);
    }

    @Test
    void oauthPasswordGrant() throws Exception {
        HttpResponse<String> r = post(Map.of("grant_type", "password", "username", "alice", "password", "secret",
                "service", SERVICE, "client_id", "test", "scope", "repository:team/app:pull,push repository:x/y:pull"));
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        Principal p = tokenHolder(r);
        assertThat(p.granted()).contains(List.of(Scope.parse("repository:team/app:pull,push")));
        assertThat(JSONObjectUtils.parse(r.body()).get("scope")).isEqualTo("repository:team/app:pull,push");

        HttpResponse<String> bad = post(Map.of("grant_type", "password", "username", "alice", "password", "nope",
                "service", SERVICE));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSONObjectUtils.parse(bad.body()).get("error")).isEqualTo("invalid_grant");

        HttpResponse<String> refresh = post(Map.of("grant_type", "refresh_token", "refresh_token", "x",
                "service", SERVICE));
        assertThat(refresh.statusCode()).isEqualTo(400);
        assertThat(JSONObjectUtils.parse(refresh.body()).get("error")).isEqualTo("unsupported_grant_type");
    }

    @Test
    void slowAnonymousFormsHoldNoThreadsAndAreCutAtTheBodyTimeout() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 5 * THREADS; i++) {
                Socket s = new Socket("127.0.0.1", connector.getLocalPort());
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        + "application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\ngrant_type=pa")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            // Meanwhile every other client is answered.
            for (int i = 0; i < 20; i++) {
                assertThat(get("?service=" + SERVICE + "&scope=repository:app:pull", basic("alice", "secret"))
                        .statusCode()).isEqualTo(200);
            }
            assertThat(post(Map.of("grant_type", "password", "username", "alice", "password", "secret",
                    "service", SERVICE)).statusCode()).isEqualTo(200);
            // Then each slow form is refused when its time is up, and its connection closed.
            for (Socket s : slow) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 408").contains("did not arrive within 2s");
            }
            assertThat(LIMITS_HIT).contains("body_timeout");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void aFormOverTheSizeLimitIs413() throws Exception {
        HttpResponse<String> r = post(Map.of("grant_type", "password", "username", "alice", "password", "secret",
                "scope", "x".repeat(FormBody.MAX_BYTES)));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("invalid_request");
        assertThat(LIMITS_HIT).contains("body_size");
    }
}
