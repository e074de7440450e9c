package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCache;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.proxy.Upstream;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.CacheException;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CheckStorageTest {

    @Test
    void anEmptyStoreIsHealthy() {
        Registry registry = Registry.builder().storage(new InMemoryStorageDriver()).build();
        assertThatCode(registry::checkStorage).doesNotThrowAnyException();
    }

    @Test
    void aStoreWithContentIsHealthy() throws Exception {
        Registry registry = Registry.builder().storage(new InMemoryStorageDriver()).build();
        byte[] blob = {1, 2, 3};
        registry.repository("a/b").uploads().put(Digest.sha256(blob), new ByteArrayInputStream(blob));
        assertThatCode(registry::checkStorage).doesNotThrowAnyException();
    }

    @Test
    void aDriverThatFailsIsUnavailableAndNamesTheDriver() {
        Registry registry = Registry.builder().storage(withStat("flaky", path -> {
            throw new IOException("connection refused");
        })).build();
        assertThatThrownBy(registry::checkStorage)
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("flaky").hasMessageContaining("connection refused");
    }

    @Test
    void aRootThatIsAnObjectIsUnavailable() {
        Registry registry = Registry.builder().storage(withStat("odd",
                path -> FileInfo.file(path, 3, Instant.EPOCH))).build();
        assertThatThrownBy(registry::checkStorage)
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("not a directory");
    }

    @Test
    void theDriversOwnCheckIsUsedAndAReadOnlyRegistryAsksForNoWrites() {
        List<Boolean> asked = new CopyOnWriteArrayList<>();
        StorageDriver driver = withHealth("own", asked::add);
        Registry writable = Registry.builder().storage(driver).healthChecks(Duration.ZERO, Duration.ofSeconds(10))
                .build();
        Registry readOnly = Registry.builder().storage(driver).readOnly(true)
                .healthChecks(Duration.ZERO, Duration.ofSeconds(10)).build();
        writable.checkStorage();
        readOnly.checkStorage();
        assertThat(asked).containsExactly(true, false);
    }

    @Test
    void aResultIsServedForTheCachePeriodThenStorageIsAskedAgain() {
        AtomicInteger checks = new AtomicInteger();
        StorageDriver driver = withHealth("counted", writable -> checks.incrementAndGet());
        Registry cached = Registry.builder().storage(driver).healthChecks(Duration.ofHours(1), Duration.ofSeconds(10))
                .build();
        for (int i = 0; i < 5; i++) {
            cached.checkStorage();
        }
        assertThat(checks).as("five polls within the period: one check").hasValue(1);

        Registry uncached = Registry.builder().storage(driver).healthChecks(Duration.ZERO, Duration.ofSeconds(10))
                .build();
        uncached.checkStorage();
        uncached.checkStorage();
        assertThat(checks).as("without a period every poll checks").hasValue(3);
    }

    @Test
    void aStorageThatHangsIsUnhealthyWithinTheTimeoutAndIsCheckedOnceAtATime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        StorageDriver driver = withHealth("hung", writable -> {
            entered.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Registry registry = Registry.builder().storage(driver).healthChecks(Duration.ZERO, Duration.ofMillis(200))
                .build();
        long t0 = System.nanoTime();
        assertThatThrownBy(registry::checkStorage).isInstanceOf(RegistryException.class)
                .hasMessageContaining("hung").hasMessageContaining("did not answer within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(registry::checkStorage).hasMessageContaining("did not answer");
        assertThat(entered).as("the second poll waited for the first check, it did not start another").hasValue(1);

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) { // the hung check ends on its own thread; a poll then starts a fresh one that passes
            try {
                registry.checkStorage();
                break;
            } catch (RegistryException stillHung) {
                assertThat(System.nanoTime()).as("healthy again after the release").isLessThan(deadline);
            }
        }
        assertThat(entered.get()).isBetween(1, 2);
    }

    @Test
    void theCacheIsCheckedOnlyWhenThereIsOne() {
        Registry without = Registry.builder().build();
        assertThat(without.hasCache()).isFalse();
        assertThatCode(without::checkCache).doesNotThrowAnyException();

        BlobDescriptorCache real = new InMemoryBlobDescriptorCache(100, Duration.ofMinutes(1));
        Registry inMemory = Registry.builder().cache(real).build();
        assertThat(inMemory.hasCache()).isTrue();
        assertThatCode(inMemory::checkCache).doesNotThrowAnyException();

        BlobDescriptorCache failing = (BlobDescriptorCache) Proxy.newProxyInstance(
                BlobDescriptorCache.class.getClassLoader(), new Class<?>[] {BlobDescriptorCache.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("checkHealth")) {
                        throw new CacheException("redis cache 127.0.0.1:1: connection refused");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Registry down = Registry.builder().cache(failing).build();
        assertThatThrownBy(down::checkCache).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("cache is unhealthy").hasMessageContaining("connection refused");
    }

    @Test
    void anUpstreamThatNobodyAnswersIsUnhealthyWithoutItsPassword() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Registry registry = Registry.builder().upstream(Upstream.of("http://127.0.0.1:" + closed)
                .withPrefix("mirror").withCredentials("robot", "hunter2-secret")).build();
        assertThat(registry.upstreams()).extracting(Upstream::prefix).containsExactly("mirror");
        assertThatThrownBy(() -> registry.checkUpstream("mirror")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("upstream mirror is unhealthy").hasMessageContaining("127.0.0.1:" + closed)
                .hasMessageNotContaining("hunter2-secret");
        assertThatThrownBy(() -> registry.checkUpstream("elsewhere")).isInstanceOf(IllegalArgumentException.class);
    }

    interface Stat {
        FileInfo stat(String path) throws IOException;
    }

    interface Health {
        void check(boolean writable) throws IOException;
    }

    /** An in-memory driver whose {@code stat} (and name) is replaced; its default health check goes through it. */
    private static StorageDriver withStat(String name, Stat stat) {
        return replacing(name, (proxy, method, args) -> method.getName().equals("stat")
                ? stat.stat((String) args[0]) : NOT_REPLACED);
    }

    /** An in-memory driver whose {@code checkHealth} (and name) is replaced. */
    private static StorageDriver withHealth(String name, Health health) {
        return replacing(name, (proxy, method, args) -> {
            if (method.getName().equals("checkHealth")) {
                health.check((Boolean) args[0]);
                return null;
            }
            return NOT_REPLACED;
        });
    }

    private static final Object NOT_REPLACED = new Object();

    /**
     * The in-memory driver with some methods replaced: the driver is final, so a proxy forwards the rest. Default
     * methods the driver does not override run as defaults on the proxy, so that they see the replaced methods.
     */
    private static StorageDriver replacing(String name, InvocationHandler replaced) {
        StorageDriver real = new InMemoryStorageDriver();
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return name;
                    }
                    Object result = replaced.invoke(proxy, method, args);
                    if (result != NOT_REPLACED) {
                        return result;
                    }
                    if (method.isDefault() && method.getName().equals("checkHealth")) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
