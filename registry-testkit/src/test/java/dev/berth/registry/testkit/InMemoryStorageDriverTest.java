package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The whole kit on the in-memory driver, and what only a driver that fails or stalls on cue can show. */
class InMemoryStorageDriverTest extends StorageDriverKit {
    @Override
    protected StorageDriver createDriver() {
        return new InMemoryStorageDriver();
    }

    /** Garbage collection when storage fails or stalls during the mark. */
    @Nested
    class CollectionOverAFaultyDriver extends GarbageCollectionFixture {
        @Test
        void aStorageFailureDuringTheMarkDeletesNothing() throws Exception {
            InMemoryStorageDriver store = new InMemoryStorageDriver();
            Image image;
            TestContent.Blob orphan;
            try (Registry setup = Registry.builder().storage(store).build()) {
                registry = setup;
                image = pushImage("app", "v1", 2);
                pushImage("app", null, 1);
                orphan = upload("app", TestContent.text("orphan"));
            }
            // One manifest read fails: the collector cannot know what that manifest needs, so it must not sweep.
            StorageDriver failing = new ForwardingStorageDriver(store) {
                @Override
                public byte[] getContent(String path) throws IOException {
                    if (path.endsWith(image.manifest().hex() + "/data")) {
                        throw new IOException("disk on fire");
                    }
                    return super.getContent(path);
                }
            };
            try (Registry flaky = Registry.builder().storage(failing).build()) {
                assertThatThrownBy(() -> flaky.collectGarbage(UNTAGGED)).isInstanceOf(RegistryException.class)
                        .extracting(e -> ((RegistryException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            }
            registry = Registry.builder().storage(store).build();
            assertComplete(image, "v1");
            assertThat(registry.repository("app").blobs().stat(orphan.digest())).as("nothing swept").isPresent();
            assertThat(registry.collectGarbage(UNTAGGED.withDryRun(true)).manifestsDeleted()).hasSize(1);
        }

        @Test
        void aSecondCollectionOnTheSameRegistryIsRefusedWhileOneRuns() throws Exception {
            pushImage("app", "v1", 1);
            CountDownLatch inMark = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            StorageDriver stalling = new SharedDriver(driver) {
                @Override
                public void walk(String path, WalkVisitor visitor) throws IOException {
                    inMark.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.walk(path, visitor);
                }
            };
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Registry shared = Registry.builder().storage(stalling).build()) {
                Future<?> first = pool.submit(() -> shared.collectGarbage(OFFLINE));
                assertThat(inMark.await(30, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> shared.collectGarbage(OFFLINE)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("already running");
                release.countDown();
                first.get(30, TimeUnit.SECONDS);
                assertThat(shared.collectGarbage(OFFLINE).blobsDeleted()).as("runs again once the first is done")
                        .isEmpty();
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
