package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import dev.berth.server.config.ConfigLoader;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server collecting garbage on its schedule (every second, gcdelay 2 s, delete-untagged) while
 * clients push and pull over HTTP: every image pushed stays whole, pulls never fail, and what the pushes left behind
 * (re-tagged manifests, blobs no manifest uses) is freed once older than the delay.
 */
class OnlineGcServerTest {
    @TempDir
    Path root;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    private record Image(String repository, String tag, byte[] manifest, List<Blob> blobs) {
        Digest digest() {
            return Digest.sha256(manifest);
        }
    }

    @Test
    void pushesAndPullsOverHttpStayWholeWhileTheServerCollects() throws Exception {
        String yaml = "version: 0.1\nlog: {level: warn, accesslog: {disabled: true}}\nstorage:\n  filesystem: {rootdirectory: "
                + root + "}\n  delete: {enabled: true}\n  maintenance:\n    uploadpurging: {enabled: false}\n"
                + "    gc: {enabled: true, interval: 1s, gcdelay: 2s, deleteuntagged: true, parallelism: 4}\n"
                + "http: {addr: '127.0.0.1:0'}\n";
        try (BerthServer server = Main.serve(ConfigLoader.parse(yaml, Map.of()))) {
            base = "http://127.0.0.1:" + server.port();
            assertThat(server.maintenance().tasks()).contains(GarbageCollectTask.NAME);
            Random random = new Random(42);
            Image steady = push("steady/app", "v1", random);
            Image overwritten = push("busy/r0", "t0", random);
            Map<String, Image> latest = new ConcurrentHashMap<>();
            List<Blob> orphans = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger pulls = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            double runsBefore = gcRuns(server);
            try {
                Future<?> pusher = pool.submit(() -> {
                    Random r = new Random(7);
                    for (int i = 0; !stop.get(); i++) {
                        Image image = push("busy/r" + (i % 3), "t" + (i % 4), r);
                        latest.put(image.repository() + ":" + image.tag(), image);
                        if (i % 3 == 0) {
                            Blob orphan = TestContent.randomBlob(r, 300);
                            upload("busy/r" + (i % 3), orphan);
                            orphans.add(orphan);
                        }
                    }
                    return null;
                });
                Future<?> puller = pool.submit(() -> {
                    while (!stop.get()) {
                        pullWhole(steady);
                        pulls.incrementAndGet();
                    }
                    return null;
                });
                // The clients work until the server has collected three times meanwhile, at least one of them
                // freeing something (an orphan or a re-tagged manifest older than gcdelay), however slow the machine.
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while ((gcRuns(server) - runsBefore < 3 || deletedBytes(server) == 0 || pulls.get() == 0
                        || orphans.isEmpty()) && !pusher.isDone() && !puller.isDone() && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                stop.set(true);
                pusher.get(1, TimeUnit.MINUTES);
                puller.get(1, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            assertThat(pulls.get()).isPositive();
            assertThat(gcRuns(server) - runsBefore).as("collections while the clients worked")
                    .isGreaterThanOrEqualTo(3);
            assertThat(deletedBytes(server)).as("freed while the clients worked").isPositive();
            for (Image image : latest.values()) {
                pullWhole(image);
            }
            pullWhole(steady);

            // Once older than gcdelay, what the pushes left behind goes on the next runs.
            Blob firstOrphan = orphans.get(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((status("HEAD", "/v2/busy/r0/blobs/" + firstOrphan.digest()) != 404
                    || status("GET", "/v2/busy/r0/manifests/" + overwritten.digest()) != 404)
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(status("HEAD", "/v2/busy/r0/blobs/" + firstOrphan.digest())).as("an orphan blob").isEqualTo(404);
            assertThat(status("GET", "/v2/busy/r0/manifests/" + overwritten.digest())).as("a re-tagged manifest")
                    .isEqualTo(404);
            for (Image image : latest.values()) {
                pullWhole(image);
            }
            assertThat(server.metrics().scrape()).contains("berth_gc_deleted_bytes_total");
        }
    }

    private static double deletedBytes(BerthServer server) {
        return server.metrics().meterRegistry().find("berth.gc.deleted").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static double gcRuns(BerthServer server) {
        return server.metrics().meterRegistry().find("berth.gc.runs").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private Image push(String repository, String tag, Random random) throws Exception {
        Blob config = upload(repository, TestContent.randomBlob(random, 80));
        Blob layer = upload(repository, TestContent.randomBlob(random, 2000 + random.nextInt(2000)));
        byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer)));
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repository
                        + "/manifests/" + tag)).header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as("manifest PUT: " + put.body()).isEqualTo(201);
        return new Image(repository, tag, manifest, List.of(config, layer));
    }

    private Blob upload(String repository, Blob blob) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repository
                        + "/blobs/uploads/?digest=" + blob.digest()))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob.bytes())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("blob upload: " + r.body()).isEqualTo(201);
        return blob;
    }

    private void pullWhole(Image image) throws Exception {
        HttpResponse<byte[]> m = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + image.repository()
                + "/manifests/" + image.tag())).header("Accept", MediaTypes.OCI_MANIFEST).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(m.statusCode()).as(image.repository() + ":" + image.tag()).isEqualTo(200);
        assertThat(m.body()).isEqualTo(image.manifest());
        for (Blob b : image.blobs()) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + image.repository()
                    + "/blobs/" + b.digest())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as("blob " + b.digest() + " of " + image.repository()).isEqualTo(200);
            assertThat(Digest.sha256(r.body())).isEqualTo(b.digest());
        }
    }

    private int status(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).method(method,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
