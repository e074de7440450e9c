package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCache;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import dev.berth.registry.testkit.TestContent.Blob;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a warm cache saves on the two hottest reads, and that writes on one instance are seen on another at once. */
class CacheSavesStorageCallsTest {
    private final CountingStorageDriver counting = new CountingStorageDriver(new InMemoryStorageDriver());
    private final InMemoryBlobDescriptorCache cache = new InMemoryBlobDescriptorCache(1000, Duration.ofMinutes(5),
            Duration.ofMillis(1));

    @Test
    void aWarmCacheAnswersBlobHeadAndResolvesTagsWithoutStorage() throws Exception {
        try (Registry registry = Registry.builder().storage(counting).cache(cache).build()) {
            Repository repo = registry.repository("library/app");
            Blob layer = TestContent.randomBlob(new Random(1), 1000);
            Blob config = TestContent.text("{}");
            repo.uploads().put(layer.digest(), new ByteArrayInputStream(layer.bytes()));
            repo.uploads().put(config.digest(), new ByteArrayInputStream(config.bytes()));
            byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer)));
            repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest);

            repo.blobs().stat(layer.digest()); // warms
            counting.reset();
            assertThat(repo.blobs().stat(layer.digest())).map(d -> d.size()).contains(1000L);
            assertThat(counting.total()).as("HEAD blob on a warm cache: %s", counting.calls()).isZero();

            // A read fills the cache once the tombstones the push left (1 ms) have passed; until then each goes to
            // storage. So: warm, then look, until the look finds the cache warm (or 30 s have passed).
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Optional<StoredManifest> got;
            do {
                repo.manifests().get(Reference.parse("v1")); // warms
                counting.reset();
                got = repo.manifests().get(Reference.parse("v1"));
            } while (!counting.calls().equals(Map.of("getContent", 1L)) && System.nanoTime() < deadline);
            assertThat(got).map(m -> m.digest()).contains(Digest.sha256(manifest));
            assertThat(counting.calls()).as("GET manifest by tag reads only the manifest's bytes")
                    .containsExactlyEntriesOf(Map.of("getContent", 1L));
            assertThat(registry.cacheStats().hits()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aTagDeletedThroughOneInstanceIsGoneOnAnotherSharingTheCache() throws Exception {
        try (Registry a = Registry.builder().storage(counting).cache(cache).build();
                Registry b = Registry.builder().storage(counting).cache(cache).build()) {
            Blob config = TestContent.text("{\"a\":1}");
            a.repository("r").uploads().put(config.digest(), new ByteArrayInputStream(config.bytes()));
            byte[] manifest = TestContent.utf8(TestContent.imageManifest(false, config, List.of()));
            a.repository("r").manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest);
            assertThat(b.repository("r").manifests().get(Reference.parse("v1"))).isPresent();
            a.repository("r").tags().delete(new Tag("v1"));
            assertThat(b.repository("r").manifests().get(Reference.parse("v1"))).isEmpty();

            a.repository("r").manifests().put(Reference.parse("v2"), MediaTypes.OCI_MANIFEST, manifest);
            assertThat(b.repository("r").manifests().get(Reference.parse("v2"))).isPresent();
            a.repository("r").manifests().delete(Digest.sha256(manifest));
            assertThat(b.repository("r").manifests().get(Reference.parse("v2"))).isEmpty();

            assertThat(b.repository("r").blobs().stat(config.digest())).isPresent();
            a.repository("r").blobs().delete(config.digest());
            assertThat(b.repository("r").blobs().stat(config.digest())).isEmpty();
        }
    }
}
