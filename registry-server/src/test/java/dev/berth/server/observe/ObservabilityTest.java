package dev.berth.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.servlet.RegistryRoute;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.server.BerthServer;
import jakarta.servlet.Filter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry served as BerthServer serves it, wrapped in {@link ObservingHandler}, beside a {@link DebugServer}. */
class ObservabilityTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String SECRET_HEADER = "Bearer header-secret-4711";

    @TempDir
    Path dir;

    private Path root;
    private Registry registry;
    private RegistryMetrics metrics;
    private Server server;
    private DebugServer debug;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String base;
    private String debugBase;

    @BeforeEach
    void start() throws Exception {
        start("/", null);
    }

    private void start(String contextPath, Filter filter) throws Exception {
        root = dir.resolve("store");
        // Health results are kept for 100 ms, so that the test sees a change soon after it makes one.
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .healthChecks(Duration.ofMillis(100), Duration.ofSeconds(5)).build();
        metrics = new RegistryMetrics();
        server = new Server();
        HttpConfiguration http = new HttpConfiguration(); // as BerthServer's
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(contextPath);
        context.addServlet(new ServletHolder("registry", new RegistryServlet(registry)), "/*");
        if (filter != null) {
            context.addFilter(filter, "/*", null);
        }
        server.setHandler(new ObservingHandler(metrics, lines::add, context));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + (contextPath.equals("/") ? "" : contextPath);
        debug = DebugServer.builder().address("127.0.0.1", 0)
                .check("storage", HealthChecks.storage(registry))
                .metrics(metrics, "/metrics")
                .start();
        debugBase = "http://127.0.0.1:" + debug.port();
    }

    @AfterEach
    void stop() throws Exception {
        debug.close();
        server.stop();
        metrics.close();
        registry.close();
    }

    @Test
    void countsTimesAndLogsPushesAndPullsByRouteWithoutRepositoryNames() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[100_000];
        new Random(7).nextBytes(layer);
        Digest configDigest = Digest.sha256(config);
        Digest layerDigest = Digest.sha256(layer);

        assertThat(send("GET", "/v2/", null).statusCode()).isEqualTo(200);
        // Monolithic push: one POST with the digest.
        assertThat(send("POST", "/v2/team/app/blobs/uploads/?digest=" + configDigest, config).statusCode())
                .isEqualTo(201);
        // Chunked push: start, one PATCH with the first half, the final PUT with the rest.
        HttpResponse<byte[]> started = send("POST", "/v2/team/app/blobs/uploads/", null);
        assertThat(started.statusCode()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        String uploadPath = URI.create(location).isAbsolute() ? URI.create(location).getRawPath() : location;
        int half = layer.length / 2;
        HttpResponse<byte[]> patched = send("PATCH", uploadPath, Arrays.copyOfRange(layer, 0, half));
        assertThat(patched.statusCode()).isEqualTo(202);
        String next = patched.headers().firstValue("Location").orElseThrow();
        next = URI.create(next).isAbsolute() ? URI.create(next).getRawPath() + query(URI.create(next)) : next;
        String sep = next.contains("?") ? "&" : "?";
        assertThat(send("PUT", next + sep + "digest=" + layerDigest, Arrays.copyOfRange(layer, half, layer.length))
                .statusCode()).isEqualTo(201);

        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        HttpRequest putManifest = HttpRequest.newBuilder(URI.create(base + "/v2/team/app/manifests/v1"))
                .header("Content-Type", OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifestBytes)).build();
        assertThat(client.send(putManifest, HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> pulledManifest = send("GET", "/v2/team/app/manifests/v1", null);
        assertThat(pulledManifest.statusCode()).isEqualTo(200);
        assertThat(pulledManifest.body()).isEqualTo(manifestBytes);
        HttpResponse<byte[]> pulled = send("GET", "/v2/team/app/blobs/" + layerDigest, null);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(layer);
        HttpResponse<byte[]> ranged = client.send(HttpRequest.newBuilder(
                URI.create(base + "/v2/team/app/blobs/" + layerDigest)).header("Range", "bytes=10-19").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ranged.statusCode()).isEqualTo(206);
        assertThat(ranged.body()).hasSize(10);
        assertThat(send("HEAD", "/v2/team/app/blobs/" + configDigest, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/team/app/tags/list", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/team/app/manifests/missing", null).statusCode()).isEqualTo(404);
        // Secrets in the query and in the Authorization header.
        HttpResponse<byte[]> catalog = client.send(HttpRequest.newBuilder(
                URI.create(base + "/v2/_catalog?n=10&token=hunter2&_state=opaque-state-value"))
                .header("Authorization", SECRET_HEADER).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(catalog.statusCode()).isEqualTo(200);
        assertThat(send("GET", "/favicon.ico", null).statusCode()).isEqualTo(404);
        awaitLines(14);

        String text = scrape();
        Map<String, Double> samples = samples(text);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=base", "method=GET", "status=200"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=upload_start", "method=POST",
                "status=201")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=upload_start", "method=POST",
                "status=202")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=upload", "method=PATCH",
                "status=202")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=upload", "method=PUT", "status=201"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=manifest", "method=PUT",
                "status=201")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=manifest", "method=GET",
                "status=200")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=manifest", "method=GET",
                "status=404")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=blob", "method=GET", "status=200"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=blob", "method=GET", "status=206"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=blob", "method=HEAD", "status=200"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=tags", "method=GET", "status=200"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=catalog", "method=GET",
                "status=200")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=other", "method=GET", "status=404"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_sum", "route=blob", "method=GET", "status=200"))
                .isPositive();

        // Exact content bytes: the blob route sent the whole layer and the 10-byte range, nothing else.
        assertThat(sample(samples, "berth_http_sent_bytes_total", "route=blob")).isEqualTo(layer.length + 10);
        assertThat(sample(samples, "berth_http_received_bytes_total", "route=upload_start"))
                .isEqualTo(config.length);
        assertThat(sample(samples, "berth_http_received_bytes_total", "route=upload")).isEqualTo(layer.length);
        assertThat(sample(samples, "berth_http_received_bytes_total", "route=manifest"))
                .isEqualTo(manifestBytes.length);
        assertThat(sample(samples, "berth_http_sent_bytes_total", "route=manifest"))
                .isGreaterThan(manifestBytes.length); // the manifest and the 404's error body

        assertThat(sample(samples, "berth_blob_upload_seconds_count")).isEqualTo(2);
        assertThat(sample(samples, "berth_blob_pull_seconds_count")).isEqualTo(2);
        for (RegistryRoute route : RegistryRoute.values()) {
            assertThat(sample(samples, "berth_storage_errors_total", "route=" + route.tag())).isZero();
            assertThat(sample(samples, "berth_http_server_errors_total", "route=" + route.tag())).isZero();
        }
        assertThat(text).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "system_cpu_count");

        // Bounded cardinality: no repository, tag, digest or upload id in any series.
        assertThat(text).doesNotContain("team/app", layerDigest.hex(), configDigest.hex());
        String berthSeries = Stream.of(text.split("\n")).filter(l -> l.startsWith("berth_"))
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(berthSeries).isNotEmpty().doesNotContain("team", "app", "sha256", "v1", "missing", "_catalog?");
        String uploadId = uploadPath.substring(uploadPath.lastIndexOf('/') + 1);
        assertThat(text).doesNotContain(uploadId);

        // The access log: one line per request, with method, path, status and bytes; no secrets.
        assertThat(lines).hasSize(14);
        assertThat(lines).anyMatch(l -> l.equals("127.0.0.1 - \"GET /v2/team/app/blobs/" + layerDigest + "\" 200 0 "
                + layer.length + " " + l.substring(l.lastIndexOf(' ') + 1)));
        assertThat(lines).anyMatch(l -> l.startsWith("127.0.0.1 - \"POST /v2/team/app/blobs/uploads/?digest="
                + configDigest + "\" 201 " + config.length + " 0 "));
        assertThat(lines).anyMatch(l -> l.startsWith("127.0.0.1 - \"GET /v2/_catalog?n=10&token=***&_state=***\" 200 0 "));
        assertThat(lines).allMatch(l -> l.matches("127\\.0\\.0\\.1 - \"[A-Z]+ /\\S*\" \\d{3} \\d+ \\d+ \\d+ms"));
        assertThat(String.join("\n", lines)).doesNotContain("hunter2", "opaque-state-value", "header-secret-4711",
                "Bearer");
    }

    @Test
    void responsesAreThoseOfTheUnwrappedServer() throws Exception {
        byte[] blob = "same bytes".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(blob);
        assertThat(send("POST", "/v2/demo/blobs/uploads/?digest=" + d, blob).statusCode()).isEqualTo(201);
        try (BerthServer plain = BerthServer.start(registry, "127.0.0.1", 0)) {
            String plainBase = "http://127.0.0.1:" + plain.port();
            for (String path : List.of("/v2/", "/v2/demo/blobs/" + d, "/v2/demo/manifests/none", "/nothing")) {
                for (String method : List.of("GET", "HEAD")) {
                    HttpResponse<byte[]> wrapped = send(method, base + path, null);
                    HttpResponse<byte[]> unwrapped = send(method, plainBase + path, null);
                    assertThat(wrapped.statusCode()).as(method + " " + path).isEqualTo(unwrapped.statusCode());
                    assertThat(wrapped.body()).as(method + " " + path).isEqualTo(unwrapped.body());
                    assertThat(withoutDate(wrapped)).as(method + " " + path).isEqualTo(withoutDate(unwrapped));
                }
            }
        }
    }

    private static Map<String, List<String>> withoutDate(HttpResponse<?> r) {
        Map<String, List<String>> h = new HashMap<>(r.headers().map());
        h.remove("date");
        return h;
    }

    @Test
    void healthFollowsTheStorageAndStorageFailuresAreCounted() throws Exception {
        HttpResponse<String> healthy = get(debugBase + "/debug/health");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).isEqualTo("{\"status\":\"ok\",\"checks\":{\"storage\":{\"status\":\"ok\"}}}");
        assertThat(healthy.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));

        // Something real: the storage folder is replaced by a file, so nothing below it can be read or written.
        deleteTree(root);
        Files.writeString(root, "not a folder");

        HttpResponse<String> unhealthy = awaitHealth(503);
        assertThat(unhealthy.body()).startsWith("{\"status\":\"failing\",\"checks\":{\"storage\":"
                + "{\"status\":\"failing\",\"error\":\"").contains("filesystem").contains("not a directory");

        byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(send("POST", "/v2/demo/blobs/uploads/?digest=" + Digest.sha256(blob), blob).statusCode())
                .isEqualTo(503);
        awaitLines(1);
        Map<String, Double> samples = samples(scrape());
        assertThat(sample(samples, "berth_storage_errors_total", "route=upload_start")).isEqualTo(1);
        assertThat(sample(samples, "berth_http_server_errors_total", "route=upload_start")).isEqualTo(1);
        assertThat(sample(samples, "berth_blob_upload_seconds_count")).isZero();
        assertThat(sample(samples, "berth_storage_errors_total", "route=upload")).isZero();

        // Back to a folder: healthy again, with no restart.
        Files.delete(root);
        Files.createDirectory(root);
        awaitHealth(200);
    }

    /** Polls the health endpoint until it answers {@code status} (results are kept for a moment). */
    private HttpResponse<String> awaitHealth(int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> r = get(debugBase + "/debug/health");
            if (r.statusCode() == status) {
                return r;
            }
            assertThat(System.nanoTime()).as("health answers %d; last: %s", status, r.body()).isLessThan(deadline);
            Thread.sleep(20); // between polls
        }
    }

    @Test
    void theDebugServerAnswersOnlyItsTwoPaths() throws Exception {
        HttpResponse<String> scraped = get(debugBase + "/metrics");
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/plain; version=0.0.4"));
        assertThat(get(debugBase + "/").statusCode()).isEqualTo(404);
        assertThat(get(debugBase + "/v2/").statusCode()).isEqualTo(404);
        assertThat(get(debugBase + "/metrics/x").statusCode()).isEqualTo(404);
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(debugBase + "/debug/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        // The debug server's requests are not the registry's.
        assertThat(lines).isEmpty();
    }

    @Test
    void aDebugServerWithoutMetricsOrWithAnotherPath() throws Exception {
        try (DebugServer bare = DebugServer.builder().address("127.0.0.1", 0).start();
                DebugServer other = DebugServer.builder().address("127.0.0.1", 0)
                        .metrics(metrics, "/prometheus")
                        .check("cache", () -> {
                            throw new IllegalStateException("cache \"redis\" down");
                        }).start()) {
            assertThat(get("http://127.0.0.1:" + bare.port() + "/metrics").statusCode()).isEqualTo(404);
            HttpResponse<String> noChecks = get("http://127.0.0.1:" + bare.port() + "/debug/health");
            assertThat(noChecks.statusCode()).isEqualTo(200);
            assertThat(noChecks.body()).isEqualTo("{\"status\":\"ok\",\"checks\":{}}");
            assertThat(get("http://127.0.0.1:" + other.port() + "/metrics").statusCode()).isEqualTo(404);
            assertThat(get("http://127.0.0.1:" + other.port() + "/prometheus").body())
                    .contains("berth_").doesNotContain("team");
            HttpResponse<String> thrown = get("http://127.0.0.1:" + other.port() + "/debug/health");
            assertThat(thrown.statusCode()).isEqualTo(503);
            assertThat(thrown.body()).isEqualTo("{\"status\":\"failing\",\"checks\":{\"cache\":{\"status\":"
                    + "\"failing\",\"error\":\"cache \\\"redis\\\" down\"}}}");
        }
    }

    @Test
    void theUserSetByTheServletLayerAndAContextPathAreHonoured() throws Exception {
        stop();
        lines.clear();
        start("/registry", (request, response, chain) -> {
            request.setAttribute(ObservingHandler.USER_ATTRIBUTE, "alice");
            chain.doFilter(request, response);
        });
        assertThat(send("GET", "/v2/", null).statusCode()).isEqualTo(200);
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base.replace("/registry", "") + "/v2/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        awaitLines(2);
        assertThat(lines).anyMatch(l -> l.startsWith("127.0.0.1 alice \"GET /registry/v2/\" 200 0 "));
        Map<String, Double> samples = samples(scrape());
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=base", "method=GET", "status=200"))
                .isEqualTo(1);
        assertThat(sample(samples, "berth_http_requests_seconds_count", "route=other", "method=GET", "status=404"))
                .isEqualTo(1);
    }

    private HttpResponse<byte[]> send(String method, String path, byte[] body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .method(method, publisher);
        if (body != null) {
            b.header("Content-Type", "application/octet-stream");
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String query(URI uri) {
        return uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = get(debugBase + "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Requests are observed when they complete, which may be a moment after the client has its answer. */
    private void awaitLines(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lines.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(lines).hasSizeGreaterThanOrEqualTo(n);
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Samples of the text format, keyed by name and sorted {@code label=value} pairs: {@code name|a=1,b=2}. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            List<String> labels = new ArrayList<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.add(l.group(1) + "=" + l.group(2));
                }
            }
            labels.sort(null);
            out.put(m.group(1) + "|" + String.join(",", labels), Double.parseDouble(m.group(3)));
        }
        return out;
    }

    private static double sample(Map<String, Double> samples, String name, String... labels) {
        List<String> wanted = new ArrayList<>(List.of(labels));
        wanted.sort(null);
        String key = name + "|" + String.join(",", wanted);
        assertThat(samples).as("series %s in %s", key, samples.keySet().stream().filter(k -> k.startsWith(name))
                .toList()).containsKey(key);
        return samples.get(key);
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(each);
            }
        }
    }
}
