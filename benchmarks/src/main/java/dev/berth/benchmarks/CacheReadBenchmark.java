package dev.berth.benchmarks;

import dev.berth.cache.redis.RedisBlobDescriptorCache;
import dev.berth.cache.redis.RedisCacheConfig;
import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCache;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.testkit.CountingStorageDriver;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import redis.embedded.RedisServer;

/**
 * HEAD blob ({@code blobs().stat}) and GET manifest by tag ({@code manifests().get}) through the core API at
 * concurrency 16 on the filesystem driver: no cache, {@code inmemory}, {@code redis} (a local redis-server 7.0.15),
 * with the storage-driver calls each request makes (a counting wrapper around the driver).
 *
 * <p>Arguments: seconds per measurement (default 5), threads (default 16), store folder.
 */
public final class CacheReadBenchmark {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path dir = Files.createTempDirectory(Path.of(args.length > 2 ? args[2] : "target").toAbsolutePath(),
                "cache-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisServer redis = RedisServer.builder().port(port).setting("bind 127.0.0.1").setting("save \"\"").build();
        redis.start();
        try {
            CountingStorageDriver driver = new CountingStorageDriver(StorageDrivers.create("filesystem",
                    Map.of("rootdirectory", dir.toString())));
            List<Digest> blobs = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            try (Registry seed = Registry.builder().storage(driver).build()) {
                Repository repo = seed.repository("bench/app");
                Random random = new Random(7);
                for (int i = 0; i < 16; i++) {
                    Blob layer = TestContent.randomBlob(random, 4096);
                    Blob config = TestContent.text("{\"n\":" + i + "}");
                    repo.uploads().put(layer.digest(), new ByteArrayInputStream(layer.bytes()));
                    repo.uploads().put(config.digest(), new ByteArrayInputStream(config.bytes()));
                    repo.manifests().put(Reference.parse("v" + i), MediaTypes.OCI_MANIFEST,
                            TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer))));
                    blobs.add(layer.digest());
                    tags.add("v" + i);
                }
            }
            System.out.printf(Locale.ROOT, "Cache read benchmark: filesystem storage %s, %d threads, %d s each, "
                    + "%d cores%n", dir, threads, seconds, Runtime.getRuntime().availableProcessors());
            for (String which : List.of("none", "inmemory", "redis")) {
                BlobDescriptorCache cache = switch (which) {
                    case "inmemory" -> new InMemoryBlobDescriptorCache(10_000, Duration.ofMinutes(5));
                    case "redis" -> new RedisBlobDescriptorCache(RedisCacheConfig.of("127.0.0.1", port));
                    default -> null;
                };
                Registry.Builder b = Registry.builder().storage(driver);
                if (cache != null) {
                    b.cache(cache);
                }
                try (Registry registry = b.build()) {
                    Repository repo = registry.repository("bench/app");
                    Runnable head = () -> repo.blobs().stat(blobs.get(ThreadLocalRandom.current().nextInt(blobs.size())))
                            .orElseThrow();
                    Runnable get = () -> repo.manifests().get(Reference.parse(tags.get(ThreadLocalRandom.current()
                            .nextInt(tags.size())))).orElseThrow();
                    run(which, "HEAD blob", head, driver, threads, seconds);
                    run(which, "GET manifest by tag", get, driver, threads, seconds);
                    System.out.printf(Locale.ROOT, "  %-8s cache stats: %s%n", which, registry.cacheStats());
                } finally {
                    if (cache != null) {
                        cache.close();
                    }
                }
            }
        } finally {
            redis.stop();
        }
    }

    private static void run(String cache, String what, Runnable op, CountingStorageDriver driver, int threads,
            int seconds) throws Exception {
        measure(op, threads, 1); // warm-up (JIT, cache fill)
        driver.reset();
        long[] done = measure(op, threads, seconds);
        long calls = driver.total();
        System.out.printf(Locale.ROOT, "%-8s %-20s %9.0f req/s   %.2f storage calls/request %s%n", cache, what,
                done[0] / (done[1] / 1e9), (double) calls / done[0], driver.calls());
    }

    private static long[] measure(Runnable op, int threads, int seconds) throws Exception {
        LongAdder count = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                started.countDown();
                while (!stop.get()) {
                    op.run();
                    count.increment();
                }
            });
            w.start();
            workers.add(w);
        }
        started.await();
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        return new long[] {count.sum(), System.nanoTime() - start};
    }
}
