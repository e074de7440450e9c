package dev.berth.registry.testkit;

import static dev.berth.registry.testkit.TestContent.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.TestContent.Blob;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Garbage collection over a storage driver, one group of {@link StorageDriverKit}: what it keeps (everything a kept
 * manifest needs, children of kept indexes, referrers of kept manifests, anything younger than the grace period,
 * digests named by manifests it cannot parse) and what it frees, offline and while pushes and pulls go on. The driver
 * must report modification times ({@code FileInfo.modTime}) close to the wall clock for the grace period to mean
 * anything.
 */
public abstract class GarbageCollectionContract extends GarbageCollectionFixture {
    // ---------------------------------------------------------------------------------------------------------------
    // offline

    @Test
    void anEmptyStoreCollectsNothing() {
        GcReport report = registry.collectGarbage(OFFLINE);
        assertThat(report.blobsDeleted()).isEmpty();
        assertThat(report.manifestsDeleted()).isEmpty();
        assertThat(report.repositories()).isZero();
    }

    @Test
    void anUnreferencedBlobIsFreedAndAReferencedImageStaysWhole() throws Exception {
        Image image = pushImage("team/app", "v1", 2);
        Image nested = pushImage("team/app/sub", "v1", 1);
        Blob orphan = upload("team/app", TestContent.randomBlob(random, 3000));

        GcReport report = registry.collectGarbage(OFFLINE);

        assertThat(report.blobsDeleted()).containsExactly(new GcReport.DeletedBlob(orphan.digest(), 3000));
        assertThat(report.bytesFreed()).isEqualTo(3000);
        assertThat(report.linksDeleted()).isEqualTo(1);
        assertThat(report.repositories()).isEqualTo(2);
        assertThat(report.manifestsKept()).isEqualTo(2);
        assertThat(registry.repository("team/app").blobs().stat(orphan.digest())).isEmpty();
        assertComplete(image, "v1");
        assertComplete(nested, "v1");
        assertThat(registry.collectGarbage(OFFLINE).blobsDeleted()).as("a second run finds nothing").isEmpty();
    }

    @Test
    void aDryRunReportsAndDeletesNothing() throws Exception {
        Image image = pushImage("app", "v1", 1);
        Blob orphan = upload("app", TestContent.randomBlob(random, 100));

        GcReport report = registry.collectGarbage(UNTAGGED.withDryRun(true));

        assertThat(report.dryRun()).isTrue();
        assertThat(report.blobsDeleted()).extracting(GcReport.DeletedBlob::digest).containsExactly(orphan.digest());
        assertThat(registry.repository("app").blobs().stat(orphan.digest())).isPresent();
        assertComplete(image, "v1");
    }

    @Test
    void untaggedManifestsStayUnlessAskedAndThenTheirOwnBlobsGo() throws Exception {
        Image old = pushImage("app", "latest", 2);
        Image current = pushImage("app", "latest", 1, old.layers().get(0)); // shares the first layer, moves the tag

        GcReport keep = registry.collectGarbage(OFFLINE);
        assertThat(keep.manifestsDeleted()).isEmpty();
        assertThat(keep.blobsDeleted()).isEmpty();
        assertThat(registry.repository("app").manifests().get(Reference.of(old.manifest()))).isPresent();

        GcReport untagged = registry.collectGarbage(UNTAGGED);

        assertThat(untagged.manifestsDeleted()).extracting(GcReport.DeletedManifest::digest)
                .containsExactly(old.manifest());
        assertThat(untagged.blobsDeleted()).extracting(GcReport.DeletedBlob::digest).containsExactlyInAnyOrder(
                old.manifest(), old.config().digest(), old.layers().get(1).digest());
        assertThat(untagged.bytesFreed()).isEqualTo(old.bytes().length + old.config().size()
                + old.layers().get(1).size());
        Repository repo = registry.repository("app");
        assertThat(repo.manifests().get(Reference.of(old.manifest()))).isEmpty();
        assertThat(repo.blobs().stat(old.layers().get(0).digest())).as("shared layer").isPresent();
        assertComplete(current, "latest");
        assertThat(exists("/docker/registry/v2/repositories/app/_manifests/tags/latest/index/sha256/"
                + old.manifest().hex())).as("the tag's history entry for the deleted manifest").isFalse();
    }

    @Test
    void aDeletedManifestFreesWhatOnlyItUsedButNotWhatAnotherRepositoryUses() throws Exception {
        Image a = pushImage("one", "v1", 2);
        registry.repository("two").blobs().mount(a.layers().get(0).digest(),
                RepositoryName.parse("one"));
        Image b = pushImage("two", "v1", 1, a.layers().get(0));
        registry.repository("one").manifests().delete(a.manifest());

        GcReport report = registry.collectGarbage(OFFLINE);

        assertThat(report.blobsDeleted()).extracting(GcReport.DeletedBlob::digest).containsExactlyInAnyOrder(
                a.manifest(), a.config().digest(), a.layers().get(1).digest());
        assertComplete(b, "v1");
        assertThat(registry.repository("two").blobs().stat(a.layers().get(0).digest())).isPresent();
        assertThat(registry.repository("one").blobs().stat(a.layers().get(1).digest())).isEmpty();
    }

    @Test
    void deleteUntaggedKeepsTheChildrenOfATaggedIndex() throws Exception {
        Image amd = pushImage("multi", null, 1);
        Image arm = pushImage("multi", null, 1);
        byte[] index = utf8(TestContent.index(false, List.of(amd.bytes(), arm.bytes()),
                List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST)));
        registry.repository("multi").manifests().put(Reference.parse("v1"), MediaTypes.OCI_INDEX, index);
        Image stray = pushImage("multi", null, 1);

        GcReport report = registry.collectGarbage(UNTAGGED);

        assertThat(report.manifestsDeleted()).extracting(GcReport.DeletedManifest::digest)
                .containsExactly(stray.manifest());
        assertComplete(amd, null);
        assertComplete(arm, null);
        assertThat(registry.repository("multi").manifests().get(Reference.parse("v1")).orElseThrow().bytes())
                .isEqualTo(index);
    }

    @Test
    void childrenOfAnIndexInsideAnIndexAreKept() throws Exception {
        Image leaf = pushImage("nest", null, 1);
        byte[] inner = utf8(TestContent.index(false, List.of(leaf.bytes()), List.of(MediaTypes.OCI_MANIFEST)));
        registry.repository("nest").manifests().put(Reference.of(Digest.sha256(inner)), MediaTypes.OCI_INDEX, inner);
        byte[] outer = utf8(TestContent.index(false, List.of(inner), List.of(MediaTypes.OCI_INDEX)));
        registry.repository("nest").manifests().put(Reference.parse("v1"), MediaTypes.OCI_INDEX, outer);

        assertThat(registry.collectGarbage(UNTAGGED).manifestsDeleted()).isEmpty();
        assertComplete(leaf, null);
    }

    @Test
    void referrersOfAKeptManifestSurviveAndThoseOfADeletedOneGo() throws Exception {
        Image image = pushImage("signed", "v1", 1);
        Image dropped = pushImage("signed", null, 1);
        Blob sig = upload("signed", TestContent.text("signature"));
        Blob sbom = upload("signed", TestContent.text("sbom"));
        upload("signed", TestContent.EMPTY_JSON);
        Digest signature = putArtifact("signed", "application/vnd.dev.cosign.artifact.sig.v1+json", sig, image);
        Digest bom = putArtifact("signed", "application/spdx+json", sbom, image);
        Digest droppedSignature = putArtifact("signed", "application/vnd.dev.cosign.artifact.sig.v1+json",
                upload("signed", TestContent.text("other signature")), dropped);
        // A signature of a signature: kept because what it signs is kept.
        Digest counter = putArtifact("signed", "application/example.counter", upload("signed",
                TestContent.text("counter")), "signed", signature);

        GcReport report = registry.collectGarbage(UNTAGGED);

        assertThat(report.manifestsDeleted()).extracting(GcReport.DeletedManifest::digest)
                .containsExactlyInAnyOrder(dropped.manifest(), droppedSignature);
        Repository repo = registry.repository("signed");
        assertThat(repo.referrers().list(image.manifest(), null)).extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(signature, bom);
        assertThat(repo.referrers().list(signature, null)).extracting(Descriptor::digest).containsExactly(counter);
        assertThat(repo.referrers().list(dropped.manifest(), null)).isEmpty();
        assertThat(readBlob(repo, sig.digest())).isEqualTo(sig.bytes());
        assertThat(readBlob(repo, sbom.digest())).isEqualTo(sbom.bytes());
        assertComplete(image, "v1");
    }

    @Test
    void aCosignStyleTaggedSignatureIsKept() throws Exception {
        Image image = pushImage("cosign", "v1", 1);
        // cosign without the referrers API: the signature is an image tagged sha256-<hex>.sig
        Image signature = pushImage("cosign", "sha256-" + image.manifest().hex() + ".sig", 1);

        assertThat(registry.collectGarbage(UNTAGGED).manifestsDeleted()).isEmpty();
        assertComplete(image, "v1");
        assertComplete(signature, "sha256-" + image.manifest().hex() + ".sig");
    }

    @Test
    void digestsNamedInAManifestItCannotParseAreKept() throws Exception {
        Blob layer = upload("legacy", TestContent.randomBlob(random, 500));
        // A schema 1 manifest as distribution stored it: Berth refuses to accept these, but must not break them.
        byte[] schema1 = utf8("{\"schemaVersion\":1,\"name\":\"legacy\",\"tag\":\"old\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[{\"blobSum\":\"" + layer.digest() + "\"}],\"history\":[{\"v1Compatibility\":\"{}\"}]}");
        Digest d = Digest.sha256(schema1);
        String base = "/docker/registry/v2";
        driver.putContent(base + "/blobs/sha256/" + d.hex().substring(0, 2) + "/" + d.hex() + "/data", schema1);
        driver.putContent(base + "/repositories/legacy/_manifests/revisions/sha256/" + d.hex() + "/link",
                utf8(d.toString()));
        driver.putContent(base + "/repositories/legacy/_manifests/tags/old/current/link", utf8(d.toString()));

        GcReport report = registry.collectGarbage(UNTAGGED);

        assertThat(report.blobsDeleted()).isEmpty();
        assertThat(readBlob(registry.repository("legacy"), layer.digest())).isEqualTo(layer.bytes());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // grace period and online collection

    @Test
    void nothingYoungerThanTheGracePeriodIsCollected() throws Exception {
        pushImage("young", "v1", 1);
        Image untagged = pushImage("young", null, 1);
        Blob orphan = upload("young", TestContent.randomBlob(random, 200));
        GcOptions online = UNTAGGED.withGracePeriod(Duration.ofHours(1));

        GcReport report = registry.collectGarbage(online);

        assertThat(report.blobsDeleted()).isEmpty();
        assertThat(report.manifestsDeleted()).isEmpty();
        assertComplete(untagged, null);
        assertThat(registry.collectGarbage(UNTAGGED).blobsDeleted()).extracting(GcReport.DeletedBlob::digest)
                .contains(orphan.digest(), untagged.manifest());
    }

    @Test
    void aPushWhoseBlobsAreUpButWhoseManifestIsNotYetSurvivesAnOnlineCollection() throws Exception {
        Blob config = upload("inflight", TestContent.randomBlob(random, 64));
        Blob layer = upload("inflight", TestContent.randomBlob(random, 4096));

        registry.collectGarbage(UNTAGGED.withGracePeriod(Duration.ofMinutes(10)));

        byte[] manifest = utf8(TestContent.imageManifest(false, config, List.of(layer)));
        registry.repository("inflight").manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest);
        assertComplete(new Image("inflight", Digest.sha256(manifest), manifest, config, List.of(layer)), "v1");
    }

    @Test
    void aBlobLinkedWithinTheGracePeriodIsKeptThoughItsBytesAreOld() throws Exception {
        Blob orphan = upload("source", TestContent.randomBlob(random, 700));
        GcReport report;
        // The grace period ends when the bytes were written: they are older, the link written next is younger.
        try (Registry collector = collectingAt(stamped(orphan), Duration.ofSeconds(2),
                new SharedDriver(driver))) {
            registry.repository("target").blobs().mount(orphan.digest(),
                    RepositoryName.parse("source"));
            report = collector.collectGarbage(UNTAGGED.withGracePeriod(Duration.ofSeconds(2)));
        }

        assertThat(report.blobsDeleted()).isEmpty();
        assertThat(readBlob(registry.repository("target"), orphan.digest())).isEqualTo(orphan.bytes());
        assertThat(report.linksDeleted()).isZero();
    }

    @Test
    void aManifestPushedWhileTheMarkRunsKeepsItsBlobs() throws Exception {
        pushImage("race", "v1", 1); // something for the mark to read
        Blob config = upload("race", TestContent.randomBlob(random, 64));
        Blob layer = upload("race", TestContent.randomBlob(random, 1000));
        Instant blobsWritten = stamped(config, layer); // the end of the grace period: only the manifest keeps them
        byte[] manifest = utf8(TestContent.imageManifest(false, config, List.of(layer)));
        AtomicBoolean pushed = new AtomicBoolean();
        StorageDriver hooked = new ReadHook(driver, path -> {
            // The client's manifest PUT lands while the collector reads the manifests it listed.
            if (path.contains("/blobs/") && pushed.compareAndSet(false, true)) {
                registry.repository("race").manifests().put(Reference.parse("late"), MediaTypes.OCI_MANIFEST,
                        manifest);
            }
        });
        try (Registry collector = collectingAt(blobsWritten, Duration.ofSeconds(2), hooked)) {
            collector.collectGarbage(UNTAGGED.withGracePeriod(Duration.ofSeconds(2)));
        }

        assertThat(pushed).isTrue();
        assertComplete(new Image("race", Digest.sha256(manifest), manifest, config, List.of(layer)), "late");
    }

    @Test
    void aBlobThisRegistryReusesJustBeforeTheSweepIsKept() throws Exception {
        Blob config = upload("reuse", TestContent.randomBlob(random, 64));
        Blob layer = upload("reuse", TestContent.randomBlob(random, 1000));
        Instant blobsWritten = stamped(config, layer); // the end of the grace period: only the push below keeps them
        byte[] manifest = utf8(TestContent.imageManifest(false, config, List.of(layer)));
        AtomicBoolean pushed = new AtomicBoolean();
        AtomicReference<Registry> self = new AtomicReference<>();
        StorageDriver hooked = new SharedDriver(driver) {
            @Override
            public void walk(String path, WalkVisitor visitor) throws IOException {
                // The mark is over and both listings are done; a client that found the blobs with HEAD puts its
                // manifest now, through the same registry, before the blobs are deleted.
                if (path.startsWith("/docker/registry/v2/blobs/") && pushed.compareAndSet(false, true)) {
                    self.get().repository("reuse").manifests().put(Reference.parse("late"), MediaTypes.OCI_MANIFEST,
                            manifest);
                }
                super.walk(path, visitor);
            }
        };
        try (Registry shared = collectingAt(blobsWritten, Duration.ofSeconds(2), hooked)) {
            self.set(shared);
            GcReport report = shared.collectGarbage(UNTAGGED.withGracePeriod(Duration.ofSeconds(2)));
            assertThat(pushed).isTrue();
            assertThat(report.blobsDeleted()).isEmpty();
        }
        assertComplete(new Image("reuse", Digest.sha256(manifest), manifest, config, List.of(layer)), "late");
    }

    @Test
    void pushesAndPullsGoOnWhileCollectionsRun() throws Exception {
        List<Image> base = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            base.add(pushImage("steady/r" + i, "v1", 2));
        }
        Map<String, Image> pushed = new ConcurrentHashMap<>();
        Map<Digest, String> orphans = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger collections = new AtomicInteger();
        AtomicInteger pulls = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    Random r = new Random(worker);
                    for (int i = 0; !stop.get(); i++) {
                        // Some pushes re-tag (leaving an untagged manifest behind), some leave orphans, one in
                        // three shares a layer with the steady images.
                        String repo = "busy/w" + worker + "/r" + (i % 3);
                        String tag = "t" + (i % 5);
                        Blob shared = i % 3 == 0 ? base.get(i % base.size()).layers().get(0) : null;
                        if (shared != null) {
                            registry.repository(repo).blobs().mount(shared.digest(),
                                    RepositoryName.parse(base.get(i % base.size())
                                            .repository()));
                        }
                        Image image = shared == null ? pushImage(repo, tag, 1 + r.nextInt(2))
                                : pushImage(repo, tag, 1, shared);
                        pushed.put(repo + ":" + tag, image);
                        if (i % 4 == 0) {
                            orphans.put(upload(repo, TestContent.randomBlob(r, 100)).digest(), repo);
                        }
                    }
                    // Younger than the grace period of any collection still running: left for the final one.
                    String repo = "busy/w" + worker + "/r0";
                    orphans.put(upload(repo, TestContent.randomBlob(r, 100)).digest(), repo);
                    return null;
                }));
            }
            workers.add(pool.submit(() -> {
                while (!stop.get()) {
                    for (Image image : base) {
                        assertComplete(image, "v1");
                        pulls.incrementAndGet();
                    }
                }
                return null;
            }));
            workers.add(pool.submit(() -> {
                GcOptions online = UNTAGGED.withGracePeriod(concurrentGracePeriod()).withParallelism(4);
                while (!stop.get()) {
                    registry.collectGarbage(online);
                    collections.incrementAndGet();
                }
                return null;
            }));
            Thread.sleep(concurrentRunTime().toMillis());
            // On until the collector and the puller have had their turns (a loaded machine is slow to give them).
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while ((collections.get() < 2 || pulls.get() == 0) && System.nanoTime() < deadline
                    && workers.stream().noneMatch(Future::isDone)) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Future<?> f : workers) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(collections.get()).as("collections run").isGreaterThanOrEqualTo(2);
        assertThat(pulls.get()).isPositive();
        for (Map.Entry<String, Image> e : pushed.entrySet()) {
            assertComplete(e.getValue(), e.getKey().substring(e.getKey().indexOf(':') + 1));
        }
        for (Image image : base) {
            assertComplete(image, "v1");
        }
        // A final offline collection whose grace period ended after the last push frees what the pushes left behind.
        GcReport last;
        try (Registry collector = collectingAt(driverNow(), Duration.ofSeconds(1),
                new SharedDriver(driver))) {
            last = collector.collectGarbage(UNTAGGED.withGracePeriod(Duration.ofSeconds(1)));
        }
        assertThat(last.blobsDeleted()).as("orphans and untagged manifests left by the pushes").isNotEmpty();
        for (Digest orphan : orphans.keySet()) {
            assertThat(exists(blobData(orphan))).as("orphan %s of %s", orphan, orphans.get(orphan)).isFalse();
        }
        for (Map.Entry<String, Image> e : pushed.entrySet()) {
            assertComplete(e.getValue(), e.getKey().substring(e.getKey().indexOf(':') + 1));
        }
    }

    /** Runs a hook before each {@code getContent}. */
    private static final class ReadHook extends SharedDriver {
        private final Consumer<String> hook;

        ReadHook(StorageDriver d, Consumer<String> hook) {
            super(d);
            this.hook = hook;
        }

        @Override
        public byte[] getContent(String path) throws IOException {
            hook.accept(path);
            return super.getContent(path);
        }
    }
}
