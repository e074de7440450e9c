package dev.berth.registry.testkit;

import static dev.berth.registry.testkit.TestContent.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.TestContent.Blob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the garbage-collection checks stand on: a fresh, empty driver for each test (the enclosing
 * {@link StorageDriverKit}'s), a registry over it, and helpers that push images, artifacts and orphans and check an
 * image is whole. {@link GarbageCollectionContract} is the kit's group of checks; a driver's own collection tests
 * extend this as a {@code @Nested} class of its kit test (see {@link StorageDriverFixture} for the pattern).
 */
public abstract class GarbageCollectionFixture extends KitGroup {

    /** How long, at least, the concurrent test pushes and collects. */
    protected Duration concurrentRunTime() {
        return Duration.ofSeconds(4);
    }

    /**
     * The grace period of the concurrent test: longer than any one push takes on this driver, plus the coarseness of
     * its modification times (S3 reports whole seconds).
     */
    protected Duration concurrentGracePeriod() {
        return Duration.ofSeconds(3);
    }

    protected static final GcOptions OFFLINE = GcOptions.DEFAULTS;
    protected static final GcOptions UNTAGGED = GcOptions.DEFAULTS.withDeleteUntagged(true);

    /** The driver under test, wrapped as a registry wraps it; {@link #registry} is built on it. */
    protected StorageDriver driver;
    protected Registry registry;
    protected final Random random = new Random(20261202);

    @BeforeEach
    void openRegistry() throws Exception {
        driver = StorageDrivers.checked(createDriver());
        registry = Registry.builder().storage(driver).build();
    }

    @AfterEach
    void closeRegistry() throws Exception {
        registry.close();
    }

    /** A pushed image: its manifest and the blobs it references. */
    protected record Image(String repository, Digest manifest, byte[] bytes, Blob config, List<Blob> layers) {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    /**
     * The driver under test for one more registry over it ({@link #collectingAt}, a driver that fails or stalls on
     * cue): closing that registry leaves the driver open for the rest of the test.
     */
    protected static class SharedDriver extends ForwardingStorageDriver {
        public SharedDriver(StorageDriver driver) {
            super(driver);
        }

        @Override
        public void close() {
            // the test's own registry closes the driver
        }
    }

    protected Blob upload(String repository, Blob blob) throws IOException {
        registry.repository(repository).uploads().put(blob.digest(), new ByteArrayInputStream(blob.bytes()));
        return blob;
    }

    /** Pushes an image of fresh random layers (after {@code shared}, which must already be in the repository). */
    protected Image pushImage(String repository, String tag, int layers, Blob... shared) throws IOException {
        Blob config = upload(repository, TestContent.randomBlob(random(), 40 + random().nextInt(60)));
        List<Blob> all = new ArrayList<>(List.of(shared));
        for (int i = 0; i < layers; i++) {
            all.add(upload(repository, TestContent.randomBlob(random(), 200 + random().nextInt(2000))));
        }
        byte[] manifest = utf8(TestContent.imageManifest(false, config, all));
        Digest digest = Digest.sha256(manifest);
        registry.repository(repository).manifests().put(tag == null ? Reference.of(digest) : Reference.parse(tag),
                MediaTypes.OCI_MANIFEST, manifest);
        return new Image(repository, digest, manifest, config, all);
    }

    private Random random() {
        synchronized (random) {
            return new Random(random.nextLong());
        }
    }

    protected Digest putArtifact(String repository, String artifactType, Blob layer, Image subject) {
        return putArtifact(repository, artifactType, layer, subject.repository(), subject.manifest());
    }

    protected Digest putArtifact(String repository, String artifactType, Blob layer, String subjectRepository,
            Digest subject) {
        StoredManifest s = registry.repository(subjectRepository).manifests().get(Reference.of(subject)).orElseThrow();
        byte[] bytes = utf8(TestContent.artifactManifest(artifactType, layer, subject, s.size(), s.mediaType()));
        return registry.repository(repository).manifests().put(Reference.of(Digest.sha256(bytes)),
                MediaTypes.OCI_MANIFEST, bytes).digest();
    }

    /** The image is there: by tag (when given) and digest, with every blob readable and matching its digest. */
    protected void assertComplete(Image image, String tag) throws IOException {
        Repository repo = registry.repository(image.repository());
        if (tag != null) {
            assertThat(repo.manifests().resolve(Reference.parse(tag))).as(image.repository() + ":" + tag)
                    .contains(image.manifest());
        }
        StoredManifest stored = repo.manifests().get(Reference.of(image.manifest()))
                .orElseThrow(() -> new AssertionError("manifest " + image.manifest() + " missing in "
                        + image.repository()));
        assertThat(stored.bytes()).isEqualTo(image.bytes());
        for (Descriptor d : Manifest.parse(stored.bytes(), stored.mediaType()).references()) {
            byte[] bytes = readBlob(repo, d.digest());
            assertThat(Digest.sha256(bytes)).as("blob " + d.digest() + " of " + image.repository()).isEqualTo(d.digest());
        }
    }

    protected static byte[] readBlob(Repository repo, Digest digest) throws IOException {
        try (InputStream in = repo.blobs().open(digest, 0)) {
            return in.readAllBytes();
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.BLOB_UNKNOWN) {
                throw new AssertionError("blob " + digest + " missing in " + repo.name(), e);
            }
            throw e;
        }
    }

    protected boolean exists(String path) throws IOException {
        try {
            driver.stat(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Where the driver holds a blob's bytes. */
    protected static String blobData(Digest digest) {
        return "/docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
    }

    /** The latest modification time the driver reports for the blobs' bytes. */
    protected Instant stamped(Blob... blobs) throws IOException {
        Instant latest = Instant.EPOCH;
        for (Blob b : blobs) {
            Instant t = driver.stat(blobData(b.digest())).modTime();
            latest = t.isAfter(latest) ? t : latest;
        }
        return latest;
    }

    /** The modification time the driver gives a write now (a probe, outside the registry's tree, then deleted). */
    protected Instant driverNow() throws IOException {
        String probe = "/gc-contract-clock-probe";
        driver.putContent(probe, new byte[] {1});
        Instant t = driver.stat(probe).modTime();
        driver.delete(probe);
        return t;
    }

    /**
     * A registry on {@code through} whose collections take {@code cutoff} as the end of the grace period
     * {@code grace}: what the driver stamped at or before {@code cutoff} is old, what it stamps later is young,
     * however long a loaded machine takes to get to the collection. Returns once the driver stamps writes later than
     * {@code cutoff} (with whole-second times, within a second).
     */
    protected Registry collectingAt(Instant cutoff, Duration grace, StorageDriver through) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!driverNow().isAfter(cutoff)) {
            assertThat(System.nanoTime() - deadline).as("the driver stamps a write after %s within 30 s", cutoff)
                    .isNegative();
            Thread.sleep(50);
        }
        return Registry.builder().storage(through).clock(Clock.fixed(cutoff.plus(grace), ZoneOffset.UTC)).build();
    }
}
