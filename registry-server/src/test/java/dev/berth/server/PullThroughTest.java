package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.proxy.Upstream;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Berth mirror pulling through from a second Berth (the upstream) that wants token auth from its built-in issuer,
 * as Docker Hub does: content fetched on a miss, stored and verified, served stale when the upstream is gone, one
 * upstream fetch for concurrent pulls of one layer, local pushes beside the mirrored repositories.
 */
class PullThroughTest {
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path mirrorRoot;
    @TempDir
    Path work;
    BerthServer upstream;
    Registry upstreamRegistry;
    BerthServer mirror;
    Registry mirrorRegistry;
    String mirrorBase;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Random random = new Random(9);
    final MovableClock clock = new MovableClock();

    @BeforeEach
    void start() throws Exception {
        Path users = work.resolve("htpasswd");
        AuthClientsTest.htpasswd("-cbB", users, "mirror", "mirror-pw");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ServerConfig config = ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {rootdirectory: " + upstreamRoot
                + "}}\nhttp: {addr: '127.0.0.1:" + port + "'}\nauth:\n  token:\n"
                + "    realm: http://127.0.0.1:" + port + "/auth/token\n    service: upstream\n"
                + "    issuer: upstream\n    builtin: {htpasswd: {path: " + users + "}, expiration: 2m}\n"
                + "access:\n  rules:\n    - {repositories: ['**'], who: [mirror], allow: [pull]}\n", Map.of());
        upstreamRegistry = Registry.builder().storage("filesystem", Map.of("rootdirectory", upstreamRoot.toString()))
                .build();
        upstream = BerthServer.start(upstreamRegistry, config.http(), ServletOptions.DEFAULTS, false,
                ServerSecurity.from(config.auth()));
    }

    void startMirror(Duration ttl) throws Exception {
        mirrorRegistry = Registry.builder().storage("filesystem", Map.of("rootdirectory", mirrorRoot.toString()))
                .clock(clock).upstream(new Upstream("hub", URI.create("http://127.0.0.1:" + upstream.port()),
                        Optional.of("mirror"), Optional.of("mirror-pw"), ttl))
                .upstreamTimeout(Duration.ofSeconds(60)).build();
        mirror = BerthServer.start(mirrorRegistry, "127.0.0.1", 0);
        mirrorBase = "http://127.0.0.1:" + mirror.port();
    }

    @AfterEach
    void stop() throws Exception {
        if (mirror != null) {
            mirror.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private record Image(byte[] manifest, List<Blob> blobs) {
        Digest digest() {
            return Digest.sha256(manifest);
        }
    }

    private Image pushUpstream(String repository, String tag, int layerSize) throws Exception {
        var repo = upstreamRegistry.repository(repository);
        Blob config = TestContent.randomBlob(random, 100);
        Blob layer = TestContent.randomBlob(random, layerSize);
        for (Blob b : List.of(config, layer)) {
            repo.uploads().put(b.digest(), new ByteArrayInputStream(b.bytes()));
        }
        byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer)));
        repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest);
        return new Image(manifest, List.of(config, layer));
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(mirrorBase + path)).header("Accept",
                MediaTypes.OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void pullWhole(String repository, String reference, Image image) throws Exception {
        HttpResponse<byte[]> m = get("/v2/" + repository + "/manifests/" + reference);
        assertThat(m.statusCode()).as(new String(m.body())).isEqualTo(200);
        assertThat(m.body()).isEqualTo(image.manifest());
        for (Blob b : image.blobs()) {
            HttpResponse<byte[]> r = get("/v2/" + repository + "/blobs/" + b.digest());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(r.body())).isEqualTo(b.digest());
        }
    }

    /**
     * Whether the mirror stored a blob. The client has all the bytes (Content-Length) a moment before the fetch has
     * verified and committed them, so this waits (up to 30 s) for them.
     */
    private boolean storedInMirror(Digest d) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!exists(d) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return exists(d);
    }

    /**
     * The blob GETs the upstream answered. It counts one when the request completes, which may be a moment after the
     * mirror has read the last byte: this waits (up to 30 s) for the first.
     */
    private double upstreamBlobPulls() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (upstream.metrics().meterRegistry().get("berth.blob.pull").timer().count() == 0
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return upstream.metrics().meterRegistry().get("berth.blob.pull").timer().count();
    }

    private boolean exists(Digest d) {
        return Files.exists(mirrorRoot.resolve("docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/"
                + d.hex() + "/data"));
    }

    @Test
    void aMissIsFetchedThroughTheUpstreamsTokenAuthAndStored() throws Exception {
        Image image = pushUpstream("library/app", "v1", 5000);
        startMirror(Duration.ofHours(1));

        pullWhole("hub/library/app", "v1", image);

        assertThat(storedInMirror(image.digest())).isTrue();
        for (Blob b : image.blobs()) {
            assertThat(storedInMirror(b.digest())).as("blob " + b.digest()).isTrue();
        }
        assertThat(get("/v2/hub/library/app/manifests/nosuch").statusCode()).isEqualTo(404);
        assertThat(get("/v2/hub/library/app/blobs/" + Digest.sha256(new byte[] {1})).statusCode()).isEqualTo(404);
    }

    @Test
    void containerdsNamespaceHintPicksTheUpstream() throws Exception {
        Image image = pushUpstream("library/app", "v1", 2000);
        startMirror(Duration.ofHours(1));
        // containerd with a hosts.toml mirror asks for library/app?ns=hub when the image is hub/library/app
        HttpResponse<byte[]> m = get("/v2/library/app/manifests/v1?ns=hub");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).isEqualTo(image.manifest());
        HttpResponse<byte[]> b = get("/v2/library/app/blobs/" + image.blobs().get(1).digest() + "?ns=hub");
        assertThat(Digest.sha256(b.body())).isEqualTo(image.blobs().get(1).digest());
        assertThat(get("/v2/library/app/manifests/v1?ns=elsewhere").statusCode()).as("no upstream for that ns")
                .isEqualTo(404);
        pullWhole("hub/library/app", "v1", image);
    }

    @Test
    void cachedContentIsServedWhenTheUpstreamIsGoneStaleTagsIncluded() throws Exception {
        Image image = pushUpstream("library/app", "v1", 3000);
        startMirror(Duration.ofHours(1));
        pullWhole("hub/library/app", "v1", image);
        upstream.close();
        upstream = null;
        clock.advance(Duration.ofHours(2)); // the tag is stale: the mirror asks the upstream, which is gone

        pullWhole("hub/library/app", "v1", image);
        pullWhole("hub/library/app", image.digest().toString(), image);
        HttpResponse<byte[]> missing = get("/v2/hub/library/other/manifests/v1");
        assertThat(missing.statusCode()).isEqualTo(503);
        assertThat(new String(missing.body())).contains("UNAVAILABLE", "not cached");
    }

    @Test
    void aTagIsRevalidatedAfterItsTtl() throws Exception {
        Image first = pushUpstream("library/app", "v1", 1000);
        startMirror(Duration.ofHours(1));
        pullWhole("hub/library/app", "v1", first);
        Image second = pushUpstream("library/app", "v1", 1000);
        pullWhole("hub/library/app", "v1", first); // within the ttl: from storage
        clock.advance(Duration.ofMinutes(61));
        pullWhole("hub/library/app", "v1", second);
        pullWhole("hub/library/app", first.digest().toString(), first);
    }

    /** The mirror's clock, which a test can move forward. */
    static final class MovableClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    @Test
    void concurrentPullsOfOneBigLayerFetchItOnce() throws Exception {
        Image image = pushUpstream("library/big", "v1", 24 << 20);
        startMirror(Duration.ofHours(1));
        Digest layer = image.blobs().get(1).digest();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Digest>> pulls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pulls.add(pool.submit(() -> {
                    HttpResponse<byte[]> r = get("/v2/hub/library/big/blobs/" + layer);
                    assertThat(r.statusCode()).isEqualTo(200);
                    return Digest.sha256(r.body());
                }));
            }
            for (Future<Digest> f : pulls) {
                assertThat(f.get(2, TimeUnit.MINUTES)).isEqualTo(layer);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(upstreamBlobPulls()).as("blob GETs the upstream answered").isEqualTo(1);
        assertThat(storedInMirror(layer)).isTrue();
    }

    @Test
    void aClientThatGoesAwayMidBlobDoesNotStopTheFetchIntoStorage() throws Exception {
        Image image = pushUpstream("library/big", "v1", 16 << 20);
        startMirror(Duration.ofHours(1));
        Digest layer = image.blobs().get(1).digest();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(mirrorBase
                + "/v2/hub/library/big/blobs/" + layer)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(in.readNBytes(64 << 10)).hasSize(64 << 10);
        } // hangs up after 64 KiB of 16 MiB
        assertThat(storedInMirror(layer)).as("the fetch went on into storage").isTrue();
        HttpResponse<byte[]> again = get("/v2/hub/library/big/blobs/" + layer);
        assertThat(Digest.sha256(again.body())).isEqualTo(layer);
        assertThat(upstreamBlobPulls()).as("blob GETs the upstream answered").isEqualTo(1);
    }

    @Test
    void pushesGoToLocalRepositoriesAndAreRefusedInMirroredOnes() throws Exception {
        startMirror(Duration.ofHours(1));
        Blob blob = TestContent.text("local");
        HttpResponse<String> local = http.send(HttpRequest.newBuilder(URI.create(mirrorBase
                        + "/v2/local/app/blobs/uploads/?digest=" + blob.digest()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob.bytes())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(local.statusCode()).isEqualTo(201);
        HttpResponse<String> mirrored = http.send(HttpRequest.newBuilder(URI.create(mirrorBase
                        + "/v2/hub/library/app/blobs/uploads/?digest=" + blob.digest()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob.bytes())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(mirrored.statusCode()).isEqualTo(405);
        assertThat(mirrored.body()).contains("UNSUPPORTED", "pull-through cache");
        assertThat(mirrored.headers().firstValue("Allow")).as("a mirrored repository takes no new upload")
                .contains("");
        HttpResponse<String> manifest = http.send(HttpRequest.newBuilder(URI.create(mirrorBase
                        + "/v2/hub/library/app/manifests/v1")).header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(manifest.statusCode()).isEqualTo(405);
        assertThat(manifest.headers().firstValue("Allow")).as("nor a manifest").hasValueSatisfying(allow ->
                assertThat(allow).contains("GET", "HEAD").doesNotContain("PUT"));
        HttpResponse<String> localUploads = http.send(HttpRequest.newBuilder(URI.create(mirrorBase
                        + "/v2/local/app/blobs/uploads/")).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(localUploads.statusCode()).isEqualTo(405);
        assertThat(localUploads.headers().firstValue("Allow")).as("a local repository takes uploads").contains("POST");
    }

    @Test
    void anUpstreamServingSomethingElseThanAManifestIsNotCached() throws Exception {
        // A fault a real registry does not make on cue: a captive portal answering 200 with a login page, and a
        // redirect for blobs to a scheme nobody should follow.
        HttpServer portal = HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        portal.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().contains("/blobs/")) {
                exchange.getResponseHeaders().add("Location", "file:///etc/passwd");
                exchange.sendResponseHeaders(302, -1);
            } else {
                byte[] page = "<html>please log in</html>".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/html");
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
            }
            exchange.close();
        });
        portal.start();
        try {
            mirrorRegistry = Registry.builder().storage("filesystem", Map.of("rootdirectory", mirrorRoot.toString()))
                    .upstream(Upstream.of("http://127.0.0.1:" + portal.getAddress().getPort()).withPrefix("hub"))
                    .build();
            mirror = BerthServer.start(mirrorRegistry, "127.0.0.1", 0);
            mirrorBase = "http://127.0.0.1:" + mirror.port();
            HttpResponse<byte[]> m = get("/v2/hub/library/app/manifests/v1");
            assertThat(m.statusCode()).isEqualTo(503);
            assertThat(new String(m.body())).contains("not a manifest");
            assertThat(Files.exists(mirrorRoot.resolve("docker/registry/v2/repositories"))).as("nothing stored")
                    .isFalse();
            HttpResponse<byte[]> b = get("/v2/hub/library/app/blobs/" + Digest.sha256(new byte[] {7}));
            assertThat(b.statusCode()).isIn(404, 503);
            assertThat(b.statusCode()).as(new String(b.body())).isNotEqualTo(500);
        } finally {
            portal.stop(0);
        }
    }

    @Test
    void concurrentMissesOfOneTagAskTheUpstreamOnce() throws Exception {
        // An upstream that holds its answer until every other miss waits for it, so that the misses surely overlap;
        // it counts what it is asked.
        byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, TestContent.text("c"),
                List.of(TestContent.text("l"))));
        AtomicInteger asked = new AtomicInteger();
        HttpServer slow = HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        slow.setExecutor(Executors.newCachedThreadPool());
        CountDownLatch answer = new CountDownLatch(1);
        slow.createContext("/v2/library/app/manifests/v1", exchange -> {
            asked.incrementAndGet();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("Content-Type", MediaTypes.OCI_MANIFEST);
            exchange.sendResponseHeaders(200, manifest.length);
            exchange.getResponseBody().write(manifest);
            exchange.close();
        });
        slow.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            mirrorRegistry = Registry.builder().storage("filesystem", Map.of("rootdirectory", mirrorRoot.toString()))
                    .upstream(Upstream.of("http://127.0.0.1:" + slow.getAddress().getPort()).withPrefix("hub"))
                    .build();
            // Requests on platform threads, whose stacks show who waits (virtual threads are not listed).
            mirror = BerthServer.start(mirrorRegistry, new ServerConfig.Http("127.0.0.1", 0, "", Optional.empty(),
                    false, Map.of(), Optional.empty(), Optional.empty(), Duration.ofSeconds(10), true,
                    ServerConfig.Limits.DEFAULTS, ServerConfig.Threads.PLATFORM), ServletOptions.DEFAULTS, true);
            mirrorBase = "http://127.0.0.1:" + mirror.port();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<byte[]>> gets = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                gets.add(pool.submit(() -> {
                    go.await();
                    HttpResponse<byte[]> r = get("/v2/hub/library/app/manifests/v1");
                    assertThat(r.statusCode()).isEqualTo(200);
                    return r.body();
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((asked.get() == 0 || waitingForAnotherRequestsFetch() < 7) && asked.get() <= 1
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(asked.get()).as("manifest requests the upstream saw while it held the first").isEqualTo(1);
            assertThat(waitingForAnotherRequestsFetch()).as("misses waiting for the first one's fetch").isEqualTo(7);
            answer.countDown();
            for (Future<byte[]> f : gets) {
                assertThat(f.get(1, TimeUnit.MINUTES)).isEqualTo(manifest);
            }
            assertThat(asked.get()).as("manifest requests the upstream saw").isEqualTo(1);
        } finally {
            answer.countDown();
            pool.shutdownNow();
            slow.stop(0);
            ((ExecutorService) slow.getExecutor()).shutdownNow();
        }
    }

    /** Threads in {@code PullThrough.manifest} waiting for the fetch another request started (not fetching). */
    private static long waitingForAnotherRequestsFetch() {
        return Thread.getAllStackTraces().values().stream().filter(stack -> {
            for (int i = 1; i < stack.length; i++) {
                if (stack[i].getClassName().equals("dev.berth.registry.internal.proxy.PullThrough")
                        && stack[i].getMethodName().equals("manifest")) {
                    return stack[i - 1].getClassName().equals("java.util.concurrent.CompletableFuture");
                }
            }
            return false;
        }).count();
    }

    @Test
    void wrongUpstreamCredentialsAreAClearServerSideError() throws Exception {
        pushUpstream("library/app", "v1", 100);
        mirrorRegistry = Registry.builder().storage("filesystem", Map.of("rootdirectory", mirrorRoot.toString()))
                .upstream(new Upstream("hub", URI.create("http://127.0.0.1:" + upstream.port()),
                        Optional.of("mirror"), Optional.of("wrong"), Duration.ofHours(1)))
                .build();
        mirror = BerthServer.start(mirrorRegistry, "127.0.0.1", 0);
        mirrorBase = "http://127.0.0.1:" + mirror.port();
        HttpResponse<byte[]> r = get("/v2/hub/library/app/manifests/v1");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new String(r.body())).contains("UNAVAILABLE");
    }
}
