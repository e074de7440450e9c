package dev.berth.benchmarks;

import dev.berth.registry.Registry;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Garbage collection of a store of 1,000 manifests and 10,000 blobs on the filesystem driver: 50 repositories of
 * 20 manifests (a config and 8 layers each, 1–4 KiB), 10 of each repository's manifests tagged and 10 left untagged
 * by re-tagging, plus 1,000 blobs no manifest references. Measures a dry run at parallelism 1 and 8 (the mark
 * alone), the default collection (the unreferenced blobs go) and a delete-untagged collection (the untagged
 * manifests and what only they used go), each with the time, the objects deleted and the bytes freed.
 *
 * <p>Arguments: store folder (default {@code target/gc-bench-store}; pass a folder on tmpfs to take the disk out).
 */
public final class GcBenchmark {
    private static final int REPOSITORIES = 50;
    private static final int MANIFESTS_PER_REPOSITORY = 20;
    private static final int LAYERS = 8;
    private static final int ORPHANS = 1_000;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/gc-bench-store").toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "store: %s%n", dir);
        try (Registry registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", dir.toString()))
                .build()) {
            long t0 = System.nanoTime();
            populate(registry);
            System.out.printf(Locale.ROOT, "populated %d manifests, %d blobs in %.1f s%n",
                    REPOSITORIES * MANIFESTS_PER_REPOSITORY, REPOSITORIES * MANIFESTS_PER_REPOSITORY * (LAYERS + 1)
                            + ORPHANS, (System.nanoTime() - t0) / 1e9);

            for (int parallelism : new int[] {1, 8, 1, 8}) {
                report("dry run, delete-untagged, parallelism " + parallelism, registry.collectGarbage(
                        GcOptions.DEFAULTS.withDryRun(true).withDeleteUntagged(true).withParallelism(parallelism)));
            }
            report("collect (unreferenced blobs)", registry.collectGarbage(GcOptions.DEFAULTS));
            report("collect --delete-untagged", registry.collectGarbage(GcOptions.DEFAULTS.withDeleteUntagged(true)));
            report("collect again (nothing left)", registry.collectGarbage(GcOptions.DEFAULTS.withDeleteUntagged(true)));
        }
    }

    private static void report(String what, GcReport r) {
        System.out.printf(Locale.ROOT, "%-48s %6.2f s  %5d manifests and %5d blobs %s (%s, %d bytes), %d links%n",
                what, r.duration().toNanos() / 1e9, r.manifestsDeleted().size(), r.blobsDeleted().size(),
                r.dryRun() ? "to delete" : "deleted", GcReport.bytes(r.bytesFreed()), r.bytesFreed(), r.linksDeleted());
    }

    private static void populate(Registry registry) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int r = 0; r < REPOSITORIES; r++) {
                int repoIndex = r;
                work.add(pool.submit(() -> {
                    Random random = new Random(repoIndex);
                    Repository repo = registry.repository("bench/team" + (repoIndex % 5) + "/app" + repoIndex);
                    for (int m = 0; m < MANIFESTS_PER_REPOSITORY; m++) {
                        Blob config = upload(repo, TestContent.randomBlob(random, 300));
                        List<Blob> layers = new ArrayList<>();
                        for (int l = 0; l < LAYERS; l++) {
                            layers.add(upload(repo, TestContent.randomBlob(random, 1024 + random.nextInt(3072))));
                        }
                        byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, config, layers));
                        // Tags t0..t9, each pushed twice: the first push of each is left untagged.
                        repo.manifests().put(Reference.parse("t" + (m % 10)), MediaTypes.OCI_MANIFEST, manifest);
                    }
                    for (int o = 0; o < ORPHANS / REPOSITORIES; o++) {
                        upload(repo, TestContent.randomBlob(random, 1024 + random.nextInt(3072)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Blob upload(Repository repo, Blob blob) throws Exception {
        repo.uploads().put(blob.digest(), new ByteArrayInputStream(blob.bytes()));
        return blob;
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
