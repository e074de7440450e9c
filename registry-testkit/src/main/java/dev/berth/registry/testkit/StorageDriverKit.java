package dev.berth.registry.testkit;

import dev.berth.registry.spi.storage.StorageDriver;
import org.junit.jupiter.api.Nested;

/**
 * Everything a storage driver must pass, from one class: extend it, say how to build your driver, and JUnit runs the
 * driver's own operations, a whole registry over it, garbage collection and upload purging, each as a {@code @Nested}
 * group of this class, all on drivers from your one {@link #createDriver()}:
 *
 * <pre>{@code
 * class MyDriverTest extends StorageDriverKit {
 *     @Override protected StorageDriver createDriver() { return new MyDriver(...); }
 * }
 * }</pre>
 *
 * <p>The groups:
 * <ul>
 *   <li>{@link Operations} ({@link StorageDriverContract}): every operation of the SPI, its edge cases and what it
 *       leaves behind, through the wrapper a registry puts around every driver;</li>
 *   <li>{@link WholeRegistry} ({@link RegistryContract}): uploads, blobs, manifests, tags, referrers and catalog over the
 *       driver, in CNCF distribution's layout, and two replicas sharing the storage;</li>
 *   <li>{@link GarbageCollection} ({@link GarbageCollectionContract}): what a collection keeps and frees, offline and
 *       while pushes go on (this needs the driver's modification times);</li>
 *   <li>{@link UploadPurge} ({@link UploadPurgeContract}): old uploads go, young ones stay, and what
 *       {@code purgeIncompleteWrites} releases.</li>
 * </ul>
 *
 * <p>Every test gets a new driver (some tests two, for two replicas), closed after it. A driver over shared storage
 * (a bucket used by other tests) should give each driver a fresh root of its own: the registry groups expect an empty
 * store. Return the driver itself ({@code new MyDriver(...)}, or your factory's {@code create}), not one from
 * {@code StorageDrivers.create}, which is already wrapped: the kit wraps it as a registry does, and holds the unwrapped
 * driver to a few rules of its own (a negative offset, the path in a not-found error).
 *
 * <p>Checks of your own that need the kit's set-up go in a {@code @Nested} class of your test that extends the set-up
 * of a group ({@link StorageDriverFixture}, {@link GarbageCollectionFixture}, {@link UploadPurgeFixture}): it gets
 * the driver from {@link #createDriver()} and the group's helpers, without running the group's checks a second time.
 *
 * <p>Two hooks, both optional: {@link #createSecondDriver} (a second replica's driver) and
 * {@link #assertNothingLeftBehind()} (look at the storage itself after a test of the driver's operations).
 */
public abstract class StorageDriverKit {

    /**
     * A new driver over storage that lives at least as long as the test; called once or twice before each test, and
     * the drivers are closed after it. Empty for the registry groups (a new folder or bucket prefix each time).
     */
    protected abstract StorageDriver createDriver() throws Exception;

    /**
     * A second driver over the same storage as {@code first}, as a second replica would have (its own connections,
     * its own caches), for the tests where two registries share one storage. The default is {@code first} itself,
     * which is right for a driver over memory; a driver over real storage should return a new driver.
     */
    protected StorageDriver createSecondDriver(StorageDriver first) throws Exception {
        return first;
    }

    /**
     * Runs after each test of the driver's operations, once its private prefix has been deleted and checked gone
     * through the SPI: look at the storage itself (no temporary file on the disk, no pending multipart upload in the
     * bucket), and throw an {@link AssertionError} when something was left behind. The default does nothing.
     */
    protected void assertNothingLeftBehind() throws Exception {
    }

    /** The driver's own operations. */
    @Nested
    public class Operations extends StorageDriverContract {
    }

    /** A whole registry over the driver. */
    @Nested
    public class WholeRegistry extends RegistryContract {
    }

    /** Garbage collection over the driver. */
    @Nested
    public class GarbageCollection extends GarbageCollectionContract {
    }

    /** Upload purging over the driver. */
    @Nested
    public class UploadPurge extends UploadPurgeContract {
    }
}
