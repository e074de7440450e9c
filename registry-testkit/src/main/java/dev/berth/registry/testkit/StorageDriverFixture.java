package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * What every check of a storage driver stands on: a fresh driver for each test, wrapped as a registry wraps it, a
 * private prefix to work under, seeded data, and the check afterwards that nothing was left behind.
 * {@link StorageDriverKit} runs its driver checks ({@link StorageDriverContract}) on it; a driver's own tests extend it
 * as a {@code @Nested} class of the driver's kit test, and get the kit's driver and helpers without running the kit's
 * checks a second time:
 *
 * <pre>{@code
 * class MyDriverTest extends StorageDriverKit {
 *     @Override protected StorageDriver createDriver() { return new MyDriver(...); }
 *
 *     @Nested class OwnChecks extends StorageDriverFixture {
 *         @Test void keepsObjectsInTheMap() throws Exception {
 *             driver().putContent(path("/a"), new byte[] {1});
 *             ...
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>A fresh driver is created before each test (by the enclosing kit's {@link StorageDriverKit#createDriver()}) and
 * closed after it. Tests go through the wrapper a registry puts around every driver ({@link StorageDrivers#checked}), so
 * paths are validated and errors name the driver; {@link #rawDriver()} is the unwrapped one. Each test works under its
 * own random prefix ({@link #root()}, e.g. {@code /testkit-3f2a...}), so a driver pointed at shared storage (a bucket
 * used by others) can run the kit. After each test the prefix is deleted and the test fails if anything is left:
 * {@code list("/")} must no longer show the prefix, and must be empty if it was empty before the test; then the kit's
 * {@link StorageDriverKit#assertNothingLeftBehind()} looks at the storage itself.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class StorageDriverFixture extends KitGroup {

    /** How far a driver's clock (a remote store's, a file system's coarse timestamps) may disagree with ours. */
    protected static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(2);

    /** How long the threads of {@link #runConcurrently} may take, together. */
    protected static final Duration CONCURRENCY_TIMEOUT = Duration.ofSeconds(60);

    private StorageDriver raw;
    private StorageDriver driver;
    private String root;
    private boolean storeWasEmpty;
    private long seed;

    /**
     * Runs after the test's prefix has been deleted and checked gone through the SPI: by default the enclosing kit's
     * {@link StorageDriverKit#assertNothingLeftBehind()}.
     */
    protected void assertNothingLeftBehind() throws Exception {
        if (enclosingKit() != null) {
            enclosingKit().assertNothingLeftBehind();
        }
    }

    /** The driver under test, wrapped as a registry wraps it. */
    protected final StorageDriver driver() {
        return driver;
    }

    /** The driver under test as {@link #createDriver()} returned it, without path validation or error naming. */
    protected final StorageDriver rawDriver() {
        return raw;
    }

    /** This test's private prefix, e.g. {@code /testkit-0123abcd...}; nothing exists under it when a test starts. */
    protected final String root() {
        return root;
    }

    /** {@code root() + relative}; {@code relative} starts with a slash. */
    protected final String path(String relative) {
        return root + relative;
    }

    /** A generator seeded from the test's name, so each test sees the same data on every run. */
    protected final Random random(int stream) {
        return new Random(seed * 31 + stream);
    }

    @BeforeEach
    protected final void createDriverUnderTest(TestInfo test) throws Exception {
        raw = createDriver();
        assertThat(raw).as("createDriver()").isNotNull();
        driver = StorageDrivers.checked(raw);
        // The prefix only has to be unique (runs may share a bucket); the data the tests write is seeded.
        root = "/testkit-" + UUID.randomUUID().toString().replace("-", "");
        seed = test.getDisplayName().hashCode();
        storeWasEmpty = driver.list("/").isEmpty();
    }

    @AfterEach
    protected final void deletePrefixAndCheckNothingLeftBehind() throws Exception {
        try {
            try {
                driver.delete(root);
            } catch (PathNotFoundException alreadyGone) {
                // the test cleaned up itself
            }
            List<String> top = driver.list("/");
            assertThat(top).as("list(\"/\") after deleting this test's prefix %s", root).doesNotContain(root);
            if (storeWasEmpty) {
                assertThat(top).as("list(\"/\") of a store that was empty before the test, after deleting %s", root)
                        .isEmpty();
            }
            assertNothingLeftBehind();
        } finally {
            driver.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    /** Something a thread of {@link #runConcurrently} does; {@code thread} counts from 0. */
    @FunctionalInterface
    protected interface ThreadTask {
        void run(int thread) throws Exception;
    }

    /** Runs {@code task} on {@code threads} threads at once and fails on the first failure or after a minute. */
    protected final void runConcurrently(int threads, ThreadTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "storage-contract");
            t.setDaemon(true);
            return t;
        });
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                Callable<Void> call = () -> {
                    start.await(CONCURRENCY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    task.run(thread);
                    return null;
                };
                futures.add(pool.submit(call));
            }
            long deadline = System.nanoTime() + CONCURRENCY_TIMEOUT.toNanos();
            for (Future<Void> f : futures) {
                try {
                    f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    fail("concurrent threads did not finish within " + CONCURRENCY_TIMEOUT);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Asserts {@code call} throws {@link PathNotFoundException} for {@code path}. */
    protected final void assertNotFound(ThrowingCallable call, String path) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PathNotFoundException.class,
                e -> assertThat(e.path()).as("path of the PathNotFoundException").isEqualTo(path));
    }

    /** All of an object from {@code offset}. */
    protected final byte[] readAll(String path, long offset) throws IOException {
        try (InputStream in = driver.reader(path, offset)) {
            return in.readAllBytes();
        }
    }

    /** {@code n} bytes from a generator seeded by the test's name and {@code stream}. */
    protected final byte[] randomBytes(int n, int stream) {
        byte[] bytes = new byte[n];
        random(stream).nextBytes(bytes);
        return bytes;
    }
}
