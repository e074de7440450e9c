package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the lifecycle operations leave for garbage collection, and that it frees it. */
class LifecycleGarbageCollectionTest {
    final InMemoryStorageDriver driver = new InMemoryStorageDriver();
    final Registry registry = Registry.builder().storage(driver).build();

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    boolean stored(Digest d) throws Exception {
        try {
            driver.stat(Layout.blobData(d));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    @Test
    void tagsDeletedByRetentionAreFreedByDeleteUntagged() throws Exception {
        Repository repo = registry.repository("ci/app");
        Digest old = push(repo, "old", "old");
        Digest kept = push(repo, "latest", "latest");
        Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 0, List.of("latest")))).apply(registry);
        assertThat(stored(old)).as("retention deletes tags only").isTrue();
        assertThat(repo.manifests().get(Reference.of(old))).isPresent();

        GcReport gc = registry.collectGarbage(GcOptions.DEFAULTS.withDeleteUntagged(true));

        assertThat(gc.bytesFreed()).isPositive();
        assertThat(repo.manifests().get(Reference.of(old))).isEmpty();
        assertThat(stored(old)).isFalse();
        assertThat(repo.manifests().get(Reference.parse("latest")).map(StoredManifest::digest)).contains(kept);
    }

    @Test
    void aDeletedRepositorysBlobsAreFreedUnlessAnotherRepositoryLinksThem() throws Exception {
        Repository a = registry.repository("a");
        Repository b = registry.repository("b");
        Digest onlyInA = push(a, "v1", "only-a");
        Digest shared = push(a, "v2", "shared");
        assertThat(push(b, "v2", "shared")).isEqualTo(shared);
        registry.deleteRepository("a");
        assertThat(stored(onlyInA)).as("blob data waits for garbage collection").isTrue();

        registry.collectGarbage(GcOptions.DEFAULTS);

        assertThat(stored(onlyInA)).isFalse();
        assertThat(stored(shared)).isTrue();
        assertThat(b.manifests().get(Reference.parse("v2"))).isPresent();
    }
}
