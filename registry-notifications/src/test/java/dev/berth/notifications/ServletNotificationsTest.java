package dev.berth.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry served by {@link RegistryServlet} in a real Jetty, reporting to a {@link Notifier}, which posts to a real
 * receiver: which requests produce which events, with which fields, and that endpoints which are down or hang never
 * slow a push.
 */
class ServletNotificationsTest {
    static final RegistryEvent.Source SOURCE = new RegistryEvent.Source("registry-test:5000", Notifier.INSTANCE_ID);
    static final String AGENT = "berth-test/1.0";

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final List<AutoCloseable> toClose = new ArrayList<>();
    Registry registry;
    Server server;
    String base;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** A user "alice" with password "pw" over Basic; everyone may do everything. */
    static final Authenticator ALICE = new Authenticator() {
        @Override
        public Authentication authenticate(AuthRequest request) {
            String expected = "Basic " + Base64.getEncoder().encodeToString("alice:pw"
                    .getBytes(StandardCharsets.UTF_8));
            return request.header("Authorization").map(h -> h.equals(expected)
                    ? (Authentication) new Authentication.Authenticated(Principal.user("alice"))
                    : new Authentication.Rejected("bad password")).orElse(Authentication.ANONYMOUS);
        }

        @Override
        public String challenge(List<Scope> wanted) {
            return "Basic realm=\"test\"";
        }
    };

    Notifier serve(boolean includeReferences, EndpointConfig... endpoints) throws Exception {
        Notifier notifier = Notifier.start(List.of(endpoints), includeReferences, SOURCE);
        toClose.add(() -> notifier.close(Duration.ofMillis(300)));
        registry = Registry.builder().events(notifier).build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new RegistryServlet(registry, ServletOptions.DEFAULTS,
                new AccessGuard(ALICE, AccessController.ALLOW_ALL))), "/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        return notifier;
    }

    HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("User-Agent", AGENT).header("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String alice() {
        return "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));
    }

    record Image(byte[] config, byte[] layer, byte[] manifest) {
        Digest manifestDigest() {
            return Digest.sha256(manifest);
        }
    }

    static Image image(String seed) {
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("the layer of " + seed).getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        return new Image(config, layer, manifest);
    }

    /** Config in one request, the layer in a session (POST, PATCH, PUT), the manifest under {@code tag}. */
    void push(String repo, Image image, String tag, String... auth) throws Exception {
        assertThat(send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(image.config()),
                image.config(), auth).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> start = send("POST", "/v2/" + repo + "/blobs/uploads/", null, auth);
        assertThat(start.statusCode()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow().substring(base.length());
        assertThat(send("PATCH", location, image.layer(), auth).statusCode()).isEqualTo(202);
        assertThat(send("PUT", location + "?digest=" + Digest.sha256(image.layer()), null, auth).statusCode())
                .isEqualTo(201);
        assertThat(send("PUT", "/v2/" + repo + "/manifests/" + tag, image.manifest(),
                concat(auth, "Content-Type", MediaTypes.OCI_MANIFEST)).statusCode()).isEqualTo(201);
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void pushPullMountAndDeleteProduceDistributionsEvents() throws Exception {
        Receiver receiver = new Receiver();
        toClose.add(receiver);
        serve(false, EndpointConfig.of("hook", receiver.url()));
        Image image = image("app");
        Digest config = Digest.sha256(image.config());
        Digest layer = Digest.sha256(image.layer());
        Digest manifest = image.manifestDigest();

        push("lib/app", image, "1.0");
        assertThat(send("HEAD", "/v2/lib/app/manifests/1.0", null).statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/v2/lib/app/blobs/" + layer, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/lib/app/manifests/1.0", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/lib/app/manifests/" + manifest, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/lib/app/blobs/" + layer, null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v2/other/blobs/uploads/?mount=" + layer + "&from=lib/app", null).statusCode())
                .isEqualTo(201);
        assertThat(send("GET", "/v2/lib/app/manifests/nosuch", null).statusCode()).as("a failure: no event")
                .isEqualTo(404);
        assertThat(send("DELETE", "/v2/lib/app/manifests/1.0", null).statusCode()).isEqualTo(202);
        assertThat(send("DELETE", "/v2/lib/app/manifests/" + manifest, null).statusCode()).isEqualTo(202);
        assertThat(send("DELETE", "/v2/other/blobs/" + layer, null).statusCode()).isEqualTo(202);
        // A last pull, as a marker: one endpoint delivers in order, so once it is in, every event before it is too,
        // and an event that should not be there (the 404's) would stand before it.
        assertThat(send("GET", "/v2/lib/app/blobs/" + config, null).statusCode()).isEqualTo(200);

        List<JsonNode> events = receiver.awaitAccepted(all -> !all.isEmpty() && (all.get(all.size() - 1)
                .path("action").asText() + " " + all.get(all.size() - 1).path("target").path("digest").asText())
                .equals("pull " + config));
        events = events.subList(0, events.size() - 1);
        assertThat(events).extracting(e -> e.path("action").asText() + " " + e.path("target").path("repository")
                .asText() + " " + e.path("target").path("digest").asText() + " " + e.path("target").path("tag")
                .asText()).containsExactly(
                        "push lib/app " + config + " ",
                        "push lib/app " + layer + " ",
                        "push lib/app " + manifest + " 1.0",
                        "pull lib/app " + manifest + " 1.0",
                        "pull lib/app " + manifest + " ",
                        "pull lib/app " + layer + " ",
                        "mount other " + layer + " ",
                        "delete lib/app  1.0",
                        "delete lib/app " + manifest + " ",
                        "delete other " + layer + " ");

        JsonNode blobPush = events.get(1);
        assertThat(blobPush.path("target").path("mediaType").asText()).isEqualTo("application/octet-stream");
        assertThat(blobPush.path("target").path("size").asLong()).isEqualTo(image.layer().length);
        assertThat(blobPush.path("target").path("length").asLong()).isEqualTo(image.layer().length);
        assertThat(blobPush.path("target").path("url").asText()).isEqualTo(base + "/v2/lib/app/blobs/" + layer);
        assertThat(blobPush.path("request").path("method").asText()).isEqualTo("PUT");

        JsonNode manifestPush = events.get(2);
        assertThat(manifestPush.path("target").path("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(manifestPush.path("target").path("size").asLong()).isEqualTo(image.manifest().length);
        assertThat(manifestPush.path("target").path("url").asText())
                .isEqualTo(base + "/v2/lib/app/manifests/" + manifest);
        assertThat(manifestPush.path("target").has("references")).as("includereferences is off").isFalse();
        JsonNode request = manifestPush.path("request");
        assertThat(request.path("id").asText()).isNotEmpty();
        assertThat(request.path("addr").asText()).isEqualTo("203.0.113.7");
        assertThat(request.path("host").asText()).isEqualTo(base.substring("http://".length()));
        assertThat(request.path("method").asText()).isEqualTo("PUT");
        assertThat(request.path("useragent").asText()).isEqualTo(AGENT);
        assertThat(manifestPush.path("actor").path("name").isMissingNode()).as("anonymous").isTrue();
        assertThat(manifestPush.path("source").path("addr").asText()).isEqualTo("registry-test:5000");
        assertThat(manifestPush.path("source").path("instanceID").asText()).isEqualTo(Notifier.INSTANCE_ID);

        assertThat(events.get(3).path("request").path("method").asText()).isEqualTo("GET");
        assertThat(events.get(6).path("target").path("fromRepository").asText()).isEqualTo("lib/app");
        assertThat(events.get(6).path("target").path("url").asText()).isEqualTo(base + "/v2/other/blobs/" + layer);
        assertThat(events.get(7).path("target").has("digest")).isFalse();
        assertThat(events.get(8).path("request").path("method").asText()).isEqualTo("DELETE");
        assertThat(events).extracting(e -> e.path("id").asText()).doesNotHaveDuplicates();
        assertThat(events.get(0).path("request").path("id").asText())
                .as("one id per request").isNotEqualTo(events.get(1).path("request").path("id").asText());
    }

    @Test
    void theActorIsTheAuthenticatedUserAndReferencesComeWhenAskedFor() throws Exception {
        Receiver receiver = new Receiver();
        toClose.add(receiver);
        serve(true, EndpointConfig.of("hook", receiver.url()));
        Image image = image("alice");
        push("team/app", image, "v1", "Authorization", alice());
        assertThat(send("GET", "/v2/team/app/manifests/v1", null, "Authorization", alice()).statusCode())
                .isEqualTo(200);

        List<JsonNode> events = receiver.awaitAccepted(4);
        assertThat(events).extracting(e -> e.path("actor").path("name").asText()).containsOnly("alice");
        for (JsonNode manifestEvent : List.of(events.get(2), events.get(3))) {
            assertThat(manifestEvent.path("target").path("references")).extracting(r -> r.path("digest").asText())
                    .containsExactly(Digest.sha256(image.config()).toString(), Digest.sha256(image.layer()).toString());
            assertThat(manifestEvent.path("target").path("references").get(1).path("mediaType").asText())
                    .isEqualTo(MediaTypes.OCI_LAYER_GZIP);
        }
        assertThat(events.get(0).path("target").has("references")).as("blobs have none").isFalse();
    }

    @Test
    void endpointsThatAreDownOrHangNeverSlowAPush() throws Exception {
        // A 2 min timeout: a push that waited for a delivery would take at least that long.
        Duration timeout = Duration.ofMinutes(2);
        Receiver.BlackHole hole = new Receiver.BlackHole();
        toClose.add(hole);
        EndpointConfig hangs = EndpointConfig.of("hangs", hole.url()).withRetries(timeout, 1, timeout);
        EndpointConfig down = EndpointConfig.of("down", URI.create("http://127.0.0.1:" + Receiver.closedPort()
                + "/events")).withRetries(timeout, 1000, Duration.ofMillis(1));
        Notifier notifier = serve(false, hangs, down);

        Duration took = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            push("lib/app" + i, image("n" + i), "latest");
            took = took.plusNanos(System.nanoTime() - start);
            if (i == 0) {
                // The hanging endpoint took the first events and hangs on them from here on (pushes are not timed).
                awaitTrue("the hanging endpoint was being tried", () -> !hole.accepted.isEmpty());
            }
        }

        assertThat(took).as("10 pushes (40 requests) while both endpoints fail").isLessThan(timeout.dividedBy(2));
        Endpoint.Stats hung = notifier.endpoints().get(0).stats();
        assertThat(hung.delivered()).isZero();
        assertThat(hung.pending()).as("queued behind the hanging POST").isGreaterThan(0);
        // The refused endpoint works on its own thread: its first failure may come after the pushes.
        awaitTrue("deliveries were failing meanwhile", () -> notifier.endpoints().get(1).stats().failedAttempts() > 0);
        assertThat(notifier.endpoints().get(1).stats().delivered()).isZero();
    }

    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - until).as(what).isNegative();
            Thread.sleep(10);
        }
    }
}
