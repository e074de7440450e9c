package dev.berth.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.CacheStats;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two replicas sharing one Redis, and Redis going away, coming back, and asking for a password. */
class RedisCacheResilienceTest {
    private final InMemoryStorageDriver storage = new InMemoryStorageDriver();

    private static RedisCacheConfig fast(RedisProcess redis) {
        return redis.config().withTombstone(Duration.ofMillis(300)).withBreaker(3, Duration.ofMillis(300));
    }

    private static Image push(Repository repo, String tag, long seed) throws Exception {
        Blob layer = TestContent.randomBlob(new Random(seed), 2000);
        Blob config = TestContent.text("{\"seed\":" + seed + "}");
        repo.uploads().put(layer.digest(), new ByteArrayInputStream(layer.bytes()));
        repo.uploads().put(config.digest(), new ByteArrayInputStream(config.bytes()));
        byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer)));
        repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest);
        return new Image(layer, Digest.sha256(manifest));
    }

    private record Image(Blob layer, Digest manifest) {
    }

    /** Work for {@link #untilFromCache}: reads that may go to the cache. */
    @FunctionalInterface
    private interface Reads {
        void run() throws Exception;
    }

    /**
     * Repeats {@code reads} until one round of them is answered from the cache alone (hits, no miss or error): the
     * tombstones the writes left (Redis expires them on its own clock) are gone and the reads have filled Redis.
     */
    private static void untilFromCache(Registry registry, Reads reads) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            CacheStats before = registry.cacheStats();
            reads.run();
            CacheStats after = registry.cacheStats();
            if (after.misses() == before.misses() && after.errors() == before.errors()
                    && after.hits() > before.hits()) {
                return;
            }
            assertThat(System.nanoTime() - deadline).as("a round of reads answered from the cache within 30 s; "
                    + "stats now %s", after).isNegative();
            Thread.sleep(50);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; fails after 30 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            Thread.sleep(20);
        }
    }

    @Test
    void aTagDeletedOnOneReplicaIsGoneOnTheOtherAtOnce() throws Exception {
        try (RedisProcess redis = new RedisProcess(null);
                Registry a = Registry.builder().storage(storage).cache("redis", RedisProcess.generous(redis.port))
                        .build();
                Registry b = Registry.builder().storage(storage).cache("redis", RedisProcess.generous(redis.port))
                        .build()) {
            Image one = push(a.repository("app"), "v1", 1);
            Repository onB = b.repository("app");
            // Past the tombstones the push left (2 s), B's reads fill Redis; then B answers from it.
            untilFromCache(b, () -> {
                assertThat(onB.manifests().resolve(Reference.parse("v1"))).contains(one.manifest());
                assertThat(onB.blobs().stat(one.layer().digest())).isPresent();
            });
            assertThat(b.cacheStats().hits()).as("B answers from Redis").isPositive();

            a.repository("app").tags().delete(new Tag("v1"));
            assertThat(onB.manifests().resolve(Reference.parse("v1"))).as("deleted on A, gone on B").isEmpty();

            Image two = push(a.repository("app"), "v2", 2);
            untilFromCache(b, () -> assertThat(onB.manifests().resolve(Reference.parse("v2")))
                    .contains(two.manifest()));
            Image moved = push(a.repository("app"), "v2", 3);
            assertThat(onB.manifests().resolve(Reference.parse("v2"))).as("moved on A, moved on B")
                    .contains(moved.manifest());

            a.repository("app").blobs().delete(two.layer().digest());
            assertThat(onB.blobs().stat(two.layer().digest())).as("unlinked on A, unlinked on B").isEmpty();
            a.repository("app").manifests().delete(moved.manifest());
            assertThat(onB.manifests().get(Reference.parse("v2"))).isEmpty();
            assertThat(a.cacheStats().errors() + b.cacheStats().errors()).isZero();
        }
    }

    @Test
    @Timeout(120)
    void redisKilledMidTrafficAnswersStayRightAndRestartedRedisIsUsedAgain() throws Exception {
        try (RedisProcess redis = new RedisProcess(null)) {
            RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(fast(redis));
            try (Registry registry = Registry.builder().storage(storage).cache(cache).build()) {
                Repository repo = registry.repository("app");
                List<Image> images = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    images.add(push(repo, "t" + i, 10 + i));
                }
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong requests = new AtomicLong();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = t;
                    workers.add(pool.submit(() -> {
                        int i = seed;
                        while (!stop.get()) {
                            int n = 1 + i++ % (images.size() - 1); // t0 is deleted meanwhile: leave it out
                            Image image = images.get(n);
                            Optional<Descriptor> d = repo.blobs().stat(image.layer().digest());
                            assertThat(d).map(Descriptor::size).contains(2000L);
                            assertThat(repo.manifests().resolve(Reference.parse("t" + n))).contains(image.manifest());
                            requests.incrementAndGet();
                        }
                        return null;
                    }));
                }
                // Each wait also ends when a worker has ended: its wrong answer is rethrown below.
                BooleanSupplier workerEnded = () -> workers.stream().anyMatch(Future::isDone);
                // Past the tombstones the pushes left (300 ms), the workers' reads fill Redis and hit it.
                await("warm before the kill", () -> registry.cacheStats().hits() > 0 || workerEnded.getAsBoolean());
                redis.stop();
                await("the breaker opening on the failures", () -> cache.skipped() > 0 || workerEnded.getAsBoolean());
                long errorsWhileOpen = registry.cacheStats().errors();
                await("Redis tried again after the cool-down, and failing", () -> registry.cacheStats().errors()
                        > errorsWhileOpen || workerEnded.getAsBoolean());
                // writes while Redis is down still succeed, and are right afterwards
                repo.tags().delete(new Tag("t0"));
                long afterDelete = requests.get();
                await("reads after the delete", () -> requests.get() > afterDelete + 100
                        || workerEnded.getAsBoolean());
                stop.set(true);
                for (Future<?> f : workers) {
                    f.get(30, TimeUnit.SECONDS); // a wrong answer or an exception fails here
                }
                pool.shutdownNow();
                assertThat(registry.cacheStats().errors()).as("Redis failures were counted").isPositive();
                assertThat(repo.manifests().resolve(Reference.parse("t0"))).isEmpty();
                assertThat(requests.get()).isPositive();

                redis.start();
                long hitsAfterRestart = registry.cacheStats().hits();
                // Past the breaker's cool-down (300 ms) Redis is tried again; reads fill it and then hit it.
                untilFromCache(registry, () -> {
                    for (Image image : images) {
                        assertThat(repo.blobs().stat(image.layer().digest())).isPresent();
                    }
                });
                assertThat(registry.cacheStats().hits()).as("the cache is used again after the restart")
                        .isGreaterThan(hitsAfterRestart);
                assertThat(repo.manifests().resolve(Reference.parse("t0"))).isEmpty();
                assertThat(repo.manifests().resolve(Reference.parse("t1"))).contains(images.get(1).manifest());
            } finally {
                cache.close();
            }
        }
    }

    @Test
    void aPasswordProtectedRedisIsUsedWithThePasswordAndSkippedWithAWrongOne() throws Exception {
        try (RedisProcess redis = new RedisProcess("hunter2")) {
            try (Registry good = Registry.builder().storage(storage).cache(new RedisBlobDescriptorCache(fast(redis)))
                    .build()) {
                Image image = push(good.repository("app"), "v1", 5);
                untilFromCache(good, () -> assertThat(good.repository("app").manifests()
                        .resolve(Reference.parse("v1"))).contains(image.manifest()));
                assertThat(good.cacheStats().hits()).isPositive();
                assertThat(good.cacheStats().errors()).isZero();
            }
            try (Registry wrong = Registry.builder().storage(storage)
                    .cache(new RedisBlobDescriptorCache(fast(redis).withPassword("wrong"))).build()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(wrong.repository("app").manifests().resolve(Reference.parse("v1"))).isPresent();
                }
                assertThat(wrong.cacheStats().hits()).isZero();
                assertThat(wrong.cacheStats().errors()).isPositive();
            }
        }
    }
}
