package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every endpoint × every kind of caller, over real HTTP in Jetty 12, with Basic authentication and access rules:
 *
 * <pre>
 * public/**   everyone        pull
 * app/**      alice           pull, push, delete
 * app/**      bob             pull
 * ${user}/**  authenticated   pull, push, delete   (alice/s is alice's, bob/b is bob's)
 * </pre>
 *
 * Each case asserts the status, the error code of the JSON body (UNAUTHORIZED with {@code WWW-Authenticate: Basic
 * realm=...}, or DENIED without it), and in storage that an allowed request did its work and a refused one changed
 * nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REALM = "berth-test";
    static final String CHALLENGE = "Basic realm=\"" + REALM + "\"";

    /** A stand-in for htpasswd: two users, passwords compared in constant time. */
    static final class TestBasicAuthenticator implements Authenticator {
        private final Map<String, byte[]> passwords = Map.of(
                "alice", "alice-pw".getBytes(StandardCharsets.UTF_8),
                "bob", "bob-pw".getBytes(StandardCharsets.UTF_8));

        @Override
        public Authentication authenticate(AuthRequest request) {
            Optional<String> header = request.header("Authorization");
            if (header.isEmpty()) {
                return Authentication.ANONYMOUS;
            }
            String h = header.get();
            if (!h.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Authentication.rejected("unsupported authorization scheme");
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Authentication.rejected("malformed basic credentials");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Authentication.rejected("malformed basic credentials");
            }
            String user = decoded.substring(0, colon);
            byte[] given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
            byte[] expected = passwords.get(user);
            if (expected == null || !MessageDigest.isEqual(expected, given)) {
                return Authentication.rejected("wrong user name or password");
            }
            return Authentication.authenticated(Principal.user(user));
        }

        @Override
        public String challenge(List<Scope> wanted) {
            return CHALLENGE;
        }
    }

    static Map<String, Object> rule(String repositories, String who, List<String> allow) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("repositories", List.of(repositories));
        r.put("who", List.of(who));
        r.put("allow", allow);
        return r;
    }

    static final AccessRules RULES = AccessRules.parse(Map.of("rules", List.of(
            rule("public/**", "everyone", List.of("pull")),
            rule("app/**", "alice", List.of("pull", "push", "delete")),
            rule("app/**", "bob", List.of("pull")),
            rule("${user}/**", "authenticated", List.of("pull", "push", "delete")))));

    enum Caller {
        ANONYMOUS(null), WRONG_PASSWORD("alice:not-alice-pw"), BOB("bob:bob-pw"), ALICE("alice:alice-pw");

        final String credentials;

        Caller(String credentials) {
            this.credentials = credentials;
        }

        HttpRequest.Builder sign(HttpRequest.Builder b) {
            return credentials == null ? b : b.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
    }

    enum Outcome { OK, UNAUTHORIZED, DENIED }

    static final String APP = "app/x";
    static final String PUBLIC = "public/y";
    static final String ALICES = "alice/s";
    static final String BOBS = "bob/b";

    Registry registry;
    Server server;
    ServerConnector connector;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final AtomicInteger counter = new AtomicInteger();

    /** What each seeded repository holds: its own config and layer, and a manifest tagged v1. */
    record Seeded(byte[] config, byte[] layer, byte[] manifest) {
        Digest layerDigest() {
            return Digest.sha256(layer);
        }

        Digest manifestDigest() {
            return Digest.sha256(manifest);
        }
    }

    final Map<String, Seeded> seeded = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        registry = Registry.builder().build(); // in memory
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        AccessGuard guard = new AccessGuard(new TestBasicAuthenticator(), RULES);
        ServletHolder holder = new ServletHolder(new RegistryServlet(registry, ServletOptions.DEFAULTS, guard));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
        for (String repo : List.of(APP, PUBLIC, ALICES, BOBS)) {
            byte[] config = ("{\"repo\":\"" + repo + "\"}").getBytes(StandardCharsets.UTF_8);
            byte[] layer = ("the layer of " + repo).getBytes(StandardCharsets.UTF_8);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                    + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                    + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                    + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            seeded.put(repo, new Seeded(config, layer, manifest));
        }
        seed();
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
        registry.close();
    }

    /** Puts the seeded content back (idempotent), undoing what an allowed delete of an earlier case removed. */
    void seed() throws Exception {
        for (Map.Entry<String, Seeded> e : seeded.entrySet()) {
            Repository repo = registry.repository(e.getKey());
            Seeded s = e.getValue();
            repo.uploads().put(Digest.sha256(s.config()), new ByteArrayInputStream(s.config()));
            repo.uploads().put(s.layerDigest(), new ByteArrayInputStream(s.layer()));
            repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, s.manifest());
        }
    }

    Repository repo(String name) {
        return registry.repository(name);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
    }

    HttpResponse<byte[]> send(Caller caller, String method, String path, byte[] body, String contentType)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(caller.sign(b).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String errorCode(HttpResponse<byte[]> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        return body.path("errors").path(0).path("code").asText();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the matrix

    /** One case's request, made fresh for it (an upload session of alice's, a unique tag or blob). */
    record Call(String method, String path, byte[] body, String contentType) {
    }

    /** What a case checks in storage: after an allowed request that it happened, after a refused one that it did not. */
    interface Effect {
        void check(boolean happened, Caller caller, HttpResponse<byte[]> response) throws Exception;
    }

    /** Prepares the case's request (may set up state through the core) and returns the check of its effect. */
    interface Setup {
        Prepared prepare() throws Exception;
    }

    record Prepared(Call call, Effect effect) {
    }

    record Endpoint(String name, int okStatus, Map<Caller, Outcome> outcomes, Setup setup) {
    }

    /** Outcomes for anonymous, wrong password, bob, alice, in that order. */
    static Map<Caller, Outcome> outcomes(Outcome anonymous, Outcome bob, Outcome alice) {
        Map<Caller, Outcome> m = new LinkedHashMap<>();
        m.put(Caller.ANONYMOUS, anonymous);
        m.put(Caller.WRONG_PASSWORD, Outcome.UNAUTHORIZED); // bad credentials: 401 everywhere, public/** too
        m.put(Caller.BOB, bob);
        m.put(Caller.ALICE, alice);
        return m;
    }

    static final Outcome OK = Outcome.OK;
    static final Outcome UNAUTHORIZED = Outcome.UNAUTHORIZED;
    static final Outcome DENIED = Outcome.DENIED;

    static final Effect NOTHING = (happened, caller, r) -> {
    };

    List<Endpoint> endpoints() {
        Seeded app = seeded.get(APP);
        Seeded pub = seeded.get(PUBLIC);
        List<Endpoint> list = new ArrayList<>();

        list.add(new Endpoint("GET /v2/", 200, outcomes(UNAUTHORIZED, OK, OK), () -> new Prepared(
                new Call("GET", "/v2/", null, null),
                (happened, caller, r) -> {
                    if (happened) {
                        assertThat(r.body()).asString().isEqualTo("{}");
                    }
                })));
        list.add(new Endpoint("GET /v2/_catalog", 200, outcomes(OK, OK, OK), () -> new Prepared(
                new Call("GET", "/v2/_catalog", null, null),
                (happened, caller, r) -> {
                    if (happened) {
                        assertThat(JSON.readTree(r.body()).path("repositories").toString())
                                .isEqualTo(catalogOf(caller));
                    }
                })));

        for (String repo : List.of(APP, PUBLIC)) {
            Seeded s = seeded.get(repo);
            boolean isPublic = repo.equals(PUBLIC);
            Map<Caller, Outcome> pull = isPublic ? outcomes(OK, OK, OK) : outcomes(UNAUTHORIZED, OK, OK);
            Map<Caller, Outcome> write = isPublic ? outcomes(UNAUTHORIZED, DENIED, DENIED)
                    : outcomes(UNAUTHORIZED, DENIED, OK);

            list.add(new Endpoint("GET tags/list " + repo, 200, pull, () -> new Prepared(
                    new Call("GET", "/v2/" + repo + "/tags/list", null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            assertThat(JSON.readTree(r.body()).path("name").asText()).isEqualTo(repo);
                            assertThat(JSON.readTree(r.body()).path("tags").toString()).contains("\"v1\"");
                        }
                    })));
            list.add(new Endpoint("GET referrers " + repo, 200, pull, () -> new Prepared(
                    new Call("GET", "/v2/" + repo + "/referrers/" + s.manifestDigest(), null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            assertThat(JSON.readTree(r.body()).path("manifests").isArray()).isTrue();
                        }
                    })));
            list.add(new Endpoint("GET manifest " + repo, 200, pull, () -> new Prepared(
                    new Call("GET", "/v2/" + repo + "/manifests/v1", null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            assertThat(r.body()).isEqualTo(s.manifest());
                        }
                    })));
            list.add(new Endpoint("HEAD manifest " + repo, 200, pull, () -> new Prepared(
                    new Call("HEAD", "/v2/" + repo + "/manifests/v1", null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            assertThat(r.headers().firstValue("Docker-Content-Digest"))
                                    .contains(s.manifestDigest().toString());
                        }
                    })));
            list.add(new Endpoint("PUT manifest " + repo, 201, write, () -> {
                String tag = "t" + counter.incrementAndGet();
                return new Prepared(
                        new Call("PUT", "/v2/" + repo + "/manifests/" + tag, s.manifest(), MediaTypes.OCI_MANIFEST),
                        (happened, caller, r) -> assertThat(repo(repo).tags().get(Tag.parse(tag)))
                                .as("tag %s in %s", tag, repo)
                                .isEqualTo(happened ? Optional.of(s.manifestDigest()) : Optional.empty()));
            }));
            list.add(new Endpoint("DELETE manifest " + repo, 202, write, () -> new Prepared(
                    new Call("DELETE", "/v2/" + repo + "/manifests/" + s.manifestDigest(), null, null),
                    (happened, caller, r) -> assertThat(repo(repo).manifests().get(Reference.parse("v1")))
                            .as("manifest of %s after the DELETE", repo).matches(m -> m.isPresent() != happened))));
            list.add(new Endpoint("GET blob " + repo, 200, pull, () -> new Prepared(
                    new Call("GET", "/v2/" + repo + "/blobs/" + s.layerDigest(), null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            assertThat(r.body()).isEqualTo(s.layer());
                        } else {
                            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("the layer");
                        }
                    })));
            list.add(new Endpoint("HEAD blob " + repo, 200, pull, () -> new Prepared(
                    new Call("HEAD", "/v2/" + repo + "/blobs/" + s.layerDigest(), null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            assertThat(r.headers().firstValue("Docker-Content-Digest"))
                                    .contains(s.layerDigest().toString());
                        } else {
                            assertThat(r.headers().firstValue("Docker-Content-Digest")).isEmpty();
                        }
                    })));
            list.add(new Endpoint("DELETE blob " + repo, 202, write, () -> new Prepared(
                    new Call("DELETE", "/v2/" + repo + "/blobs/" + s.layerDigest(), null, null),
                    (happened, caller, r) -> assertThat(repo(repo).blobs().stat(s.layerDigest()).isPresent())
                            .as("layer still in %s", repo).isEqualTo(!happened))));
            list.add(new Endpoint("POST upload " + repo, 202, write, () -> new Prepared(
                    new Call("POST", "/v2/" + repo + "/blobs/uploads/", null, null),
                    (happened, caller, r) -> {
                        if (happened) {
                            String id = r.headers().firstValue("Docker-Upload-UUID").orElseThrow();
                            assertThat(repo(repo).uploads().status(id).offset()).isZero();
                            assertThat(r.headers().firstValue("Location").orElseThrow())
                                    .endsWith("/v2/" + repo + "/blobs/uploads/" + id);
                        } else {
                            assertThat(r.headers().firstValue("Location")).isEmpty();
                            assertThat(r.headers().firstValue("Docker-Upload-UUID")).isEmpty();
                        }
                    })));
            list.add(new Endpoint("POST ?digest= monolithic " + repo, 201, write, () -> {
                byte[] blob = ("monolithic " + counter.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
                Digest d = Digest.sha256(blob);
                return new Prepared(new Call("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d, blob,
                        "application/octet-stream"),
                        (happened, caller, r) -> assertThat(repo(repo).blobs().stat(d).isPresent())
                                .as("pushed blob in %s", repo).isEqualTo(happened));
            }));
        }

        // A mount into app/x of the layer only public/y holds: everyone may pull public/y, only alice push app/x.
        list.add(new Endpoint("POST ?mount=&from=public/y app/x", 201, outcomes(UNAUTHORIZED, DENIED, OK),
                () -> {
                    if (repo(APP).blobs().stat(pub.layerDigest()).isPresent()) {
                        repo(APP).blobs().delete(pub.layerDigest()); // an earlier case mounted it: undo that
                    }
                    return new Prepared(new Call("POST", "/v2/" + APP + "/blobs/uploads/?mount=" + pub.layerDigest()
                            + "&from=" + PUBLIC, null, null),
                            (happened, caller, r) -> assertThat(repo(APP).blobs().stat(pub.layerDigest()).isPresent())
                                    .as("public/y's layer mounted into app/x").isEqualTo(happened));
                }));

        // An upload session of alice's in app/x, driven by each caller.
        list.add(new Endpoint("PATCH upload app/x", 202, outcomes(UNAUTHORIZED, DENIED, OK), () -> {
            String id = repo(APP).uploads().start().id();
            byte[] chunk = "a chunk".getBytes(StandardCharsets.UTF_8);
            return new Prepared(new Call("PATCH", "/v2/" + APP + "/blobs/uploads/" + id, chunk,
                    "application/octet-stream"),
                    (happened, caller, r) -> assertThat(repo(APP).uploads().status(id).offset())
                            .as("bytes in alice's upload").isEqualTo(happened ? chunk.length : 0));
        }));
        list.add(new Endpoint("PUT upload app/x", 201, outcomes(UNAUTHORIZED, DENIED, OK), () -> {
            String id = repo(APP).uploads().start().id();
            byte[] blob = ("committed " + counter.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            Digest d = Digest.sha256(blob);
            return new Prepared(new Call("PUT", "/v2/" + APP + "/blobs/uploads/" + id + "?digest=" + d, blob,
                    "application/octet-stream"),
                    (happened, caller, r) -> {
                        assertThat(repo(APP).blobs().stat(d).isPresent()).as("committed blob").isEqualTo(happened);
                        assertThat(uploadExists(APP, id)).as("alice's upload still open").isEqualTo(!happened);
                    });
        }));
        list.add(new Endpoint("GET upload status app/x", 204, outcomes(UNAUTHORIZED, DENIED, OK), () -> {
            String id = repo(APP).uploads().start().id();
            return new Prepared(new Call("GET", "/v2/" + APP + "/blobs/uploads/" + id, null, null),
                    (happened, caller, r) -> {
                        assertThat(r.headers().firstValue("Range").isPresent()).isEqualTo(happened);
                        assertThat(r.headers().firstValue("Docker-Upload-UUID").isPresent()).isEqualTo(happened);
                        assertThat(uploadExists(APP, id)).isTrue();
                    });
        }));
        list.add(new Endpoint("DELETE upload app/x", 204, outcomes(UNAUTHORIZED, DENIED, OK), () -> {
            String id = repo(APP).uploads().start().id();
            return new Prepared(new Call("DELETE", "/v2/" + APP + "/blobs/uploads/" + id, null, null),
                    (happened, caller, r) -> assertThat(uploadExists(APP, id)).as("alice's upload still open")
                            .isEqualTo(!happened));
        }));
        return list;
    }

    boolean uploadExists(String repo, String id) {
        try {
            repo(repo).uploads().status(id);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /** The whole catalog each caller sees: the seeded repositories it may pull. */
    static String catalogOf(Caller caller) {
        return switch (caller) {
            case ANONYMOUS -> "[\"public/y\"]";
            case BOB -> "[\"app/x\",\"bob/b\",\"public/y\"]";
            case ALICE -> "[\"alice/s\",\"app/x\",\"public/y\"]";
            case WRONG_PASSWORD -> throw new AssertionError("never listed");
        };
    }

    @TestFactory
    Stream<DynamicTest> everyEndpointForEveryCaller() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Endpoint e : endpoints()) {
            for (Map.Entry<Caller, Outcome> c : e.outcomes().entrySet()) {
                Caller caller = c.getKey();
                Outcome expected = c.getValue();
                int status = switch (expected) {
                    case OK -> e.okStatus();
                    case UNAUTHORIZED -> 401;
                    case DENIED -> 403;
                };
                tests.add(dynamicTest(String.format("%-36s %-14s -> %d %s", e.name(), caller, status,
                        expected == OK ? "" : expected), () -> runCase(e, caller, expected, status)));
            }
        }
        return tests.stream();
    }

    private void runCase(Endpoint e, Caller caller, Outcome expected, int status) throws Exception {
        seed();
        Prepared p = e.setup().prepare();
        HttpResponse<byte[]> r = send(caller, p.call().method(), p.call().path(), p.call().body(),
                p.call().contentType());
        assertThat(r.statusCode()).as("%s %s as %s: %s", p.call().method(), p.call().path(), caller,
                new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
        boolean head = p.call().method().equals("HEAD");
        switch (expected) {
            case UNAUTHORIZED -> {
                assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
                if (!head) {
                    assertThat(errorCode(r)).isEqualTo("UNAUTHORIZED");
                    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                            t -> assertThat(t).startsWith("application/json"));
                }
            }
            case DENIED -> {
                assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
                if (!head) {
                    assertThat(errorCode(r)).isEqualTo("DENIED");
                }
            }
            case OK -> assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        }
        p.effect().check(expected == OK, caller, r);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the cases that need more than one request

    @Test
    void podmanLoginFlowGetsAChallengeThenSucceedsWithCredentials() throws Exception {
        HttpResponse<byte[]> anonymous = send(Caller.ANONYMOUS, "GET", "/v2/", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains(CHALLENGE);
        assertThat(send(Caller.BOB, "GET", "/v2/", null, null).statusCode()).isEqualTo(200);
        assertThat(send(Caller.WRONG_PASSWORD, "GET", "/v2/", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void malformedOrUnknownCredentialsAre401EvenOnPublicRepositories() throws Exception {
        for (String authorization : List.of("Basic !!!", "Basic " + Base64.getEncoder().encodeToString(
                "mallory:x".getBytes(StandardCharsets.UTF_8)), "Bearer abc", "Basic " + Base64.getEncoder()
                .encodeToString("bob".getBytes(StandardCharsets.UTF_8)))) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/v2/" + PUBLIC + "/manifests/v1"))
                    .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(authorization).isEqualTo(401);
            assertThat(errorCode(r)).isEqualTo("UNAUTHORIZED");
            assertThat(r.headers().firstValue("WWW-Authenticate")).contains(CHALLENGE);
            // The detail may say why, never echo the credentials.
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(authorization.substring(6));
        }
        // Also on a path that is no endpoint at all.
        HttpResponse<byte[]> nowhere = send(Caller.WRONG_PASSWORD, "GET", "/v2/no/such/endpoint", null, null);
        assertThat(nowhere.statusCode()).isEqualTo(401);
    }

    @Test
    void theCatalogPagesThroughOnlyTheRepositoriesTheCallerMayPull() throws Exception {
        seed();
        assertThat(pages(Caller.ANONYMOUS)).containsExactly("public/y|");
        assertThat(pages(Caller.BOB)).containsExactly("app/x|/v2/_catalog?n=1&last=app%2Fx",
                "bob/b|/v2/_catalog?n=1&last=bob%2Fb", "public/y|");
        assertThat(pages(Caller.ALICE)).containsExactly("alice/s|/v2/_catalog?n=1&last=alice%2Fs",
                "app/x|/v2/_catalog?n=1&last=app%2Fx", "public/y|");
        HttpResponse<byte[]> two = send(Caller.ALICE, "GET", "/v2/_catalog?n=2", null, null);
        assertThat(JSON.readTree(two.body()).path("repositories").toString()).isEqualTo("[\"alice/s\",\"app/x\"]");
        assertThat(two.headers().firstValue("Link")).contains("</v2/_catalog?n=2&last=app%2Fx>; rel=\"next\"");
        // A `last` that names a hidden repository reveals nothing and skips nothing visible.
        HttpResponse<byte[]> afterHidden = send(Caller.ANONYMOUS, "GET", "/v2/_catalog?n=1&last=alice/s", null, null);
        assertThat(JSON.readTree(afterHidden.body()).path("repositories").toString()).isEqualTo("[\"public/y\"]");
        assertThat(afterHidden.headers().firstValue("Link")).isEmpty();
    }

    /** Follows the catalog's Link headers page by page (n=1); each page as "names|next link path". */
    private List<String> pages(Caller caller) throws Exception {
        List<String> out = new ArrayList<>();
        String next = "/v2/_catalog?n=1";
        for (int i = 0; i < 10 && next != null; i++) {
            HttpResponse<byte[]> r = send(caller, "GET", next, null, null);
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            JSON.readTree(r.body()).path("repositories").forEach(n -> names.add(n.asText()));
            Optional<String> link = r.headers().firstValue("Link");
            next = link.map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>'))).orElse(null);
            link.ifPresent(l -> assertThat(l).endsWith(">; rel=\"next\""));
            out.add(String.join(",", names) + "|" + (next == null ? "" : next));
        }
        return out;
    }

    @Test
    void aMountFromARepositoryTheCallerMayNotPullFallsBackToAnUploadAndRevealsNothing() throws Exception {
        seed();
        Seeded bobs = seeded.get(BOBS);
        Seeded alices = seeded.get(ALICES);
        // alice may push app/x but not pull bob/b: an upload session, as for an unknown source.
        HttpResponse<byte[]> alice = send(Caller.ALICE, "POST", "/v2/" + APP + "/blobs/uploads/?mount="
                + bobs.layerDigest() + "&from=" + BOBS, null, null);
        assertThat(alice.statusCode()).isEqualTo(202);
        assertThat(alice.headers().firstValue("Location").orElseThrow()).contains("/v2/app/x/blobs/uploads/");
        assertThat(alice.headers().firstValue("Docker-Content-Digest")).isEmpty();
        assertThat(repo(APP).blobs().stat(bobs.layerDigest())).isEmpty();
        HttpResponse<byte[]> pull = send(Caller.ALICE, "GET", "/v2/" + APP + "/blobs/" + bobs.layerDigest(), null,
                null);
        assertThat(pull.statusCode()).isEqualTo(404);
        assertThat(errorCode(pull)).isEqualTo("BLOB_UNKNOWN");

        // The answer is the same whether or not the hidden repository holds the blob.
        HttpResponse<byte[]> absent = send(Caller.ALICE, "POST", "/v2/" + APP + "/blobs/uploads/?mount="
                + Digest.sha256(new byte[] {1, 2, 3}) + "&from=" + BOBS, null, null);
        assertThat(absent.statusCode()).isEqualTo(202);

        // bob may push bob/b and pull app/x but not alice/s.
        HttpResponse<byte[]> bob = send(Caller.BOB, "POST", "/v2/" + BOBS + "/blobs/uploads/?mount="
                + alices.layerDigest() + "&from=" + ALICES, null, null);
        assertThat(bob.statusCode()).isEqualTo(202);
        assertThat(repo(BOBS).blobs().stat(alices.layerDigest())).isEmpty();
        HttpResponse<byte[]> bobFromApp = send(Caller.BOB, "POST", "/v2/" + BOBS + "/blobs/uploads/?mount="
                + seeded.get(APP).layerDigest() + "&from=" + APP, null, null);
        assertThat(bobFromApp.statusCode()).isEqualTo(201);
        assertThat(repo(BOBS).blobs().stat(seeded.get(APP).layerDigest())).isPresent();
        repo(BOBS).blobs().delete(seeded.get(APP).layerDigest());
    }

    @Test
    void anUploadSessionCannotBeDrivenThroughAnotherRepository() throws Exception {
        seed();
        String id = repo(APP).uploads().start().id();
        // bob may push bob/b; alice's session id under bob/b is no session of bob/b's.
        HttpResponse<byte[]> status = send(Caller.BOB, "GET", "/v2/" + BOBS + "/blobs/uploads/" + id, null, null);
        assertThat(status.statusCode()).isEqualTo(404);
        assertThat(errorCode(status)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        HttpResponse<byte[]> patch = send(Caller.BOB, "PATCH", "/v2/" + BOBS + "/blobs/uploads/" + id,
                "x".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        assertThat(patch.statusCode()).isEqualTo(404);
        assertThat(repo(APP).uploads().status(id).offset()).isZero();
    }

    @Test
    void aWrongMethodIsRefusedOnlyAfterTheAccessCheck() throws Exception {
        seed();
        HttpResponse<byte[]> anonymous = send(Caller.ANONYMOUS, "POST", "/v2/" + APP + "/manifests/v1", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<byte[]> bob = send(Caller.BOB, "POST", "/v2/" + APP + "/manifests/v1", null, null);
        assertThat(bob.statusCode()).isEqualTo(405);
        HttpResponse<byte[]> bobUpload = send(Caller.BOB, "PUT", "/v2/" + APP + "/blobs/uploads/", null, null);
        assertThat(bobUpload.statusCode()).isEqualTo(403);
    }

    @Test
    void accessToAMissingThingInAHiddenRepositoryIsRefusedNotNotFound() throws Exception {
        // Whether alice/s holds a manifest or not, bob is denied before anything is looked up.
        for (String ref : List.of("v1", "no-such-tag")) {
            HttpResponse<byte[]> r = send(Caller.BOB, "GET", "/v2/" + ALICES + "/manifests/" + ref, null, null);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(errorCode(r)).isEqualTo("DENIED");
        }
        HttpResponse<byte[]> anonymous = send(Caller.ANONYMOUS, "GET", "/v2/nowhere/at/all/tags/list", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }
}
