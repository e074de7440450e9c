package dev.berth.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver is found by its name through ServiceLoader, as a jar dropped on the class path would be. */
class MapStorageDiscoveryTest {

    @Test
    void serviceLoaderListsTheDriverByItsName() {
        assertThat(StorageDrivers.available()).containsKey("map");
        assertThat(StorageDrivers.available().get("map")).isInstanceOf(MapStorageDriverFactory.class);
    }

    @Test
    void theDriverFoundByNameHoldsARegistrysBlobsInDistributionsLayout() throws Exception {
        StorageDriver driver = StorageDrivers.create("map", Map.of("maxobjectsize", "1048576"));
        assertThat(driver.name()).isEqualTo("map");
        try (Registry registry = Registry.builder().storage(driver).build()) {
            Repository repo = registry.repository("custom/storage");
            byte[] blob = "stored in a ConcurrentHashMap".getBytes(StandardCharsets.UTF_8);
            Descriptor d = repo.uploads().put(Digest.sha256(blob), new ByteArrayInputStream(blob));
            assertThat(d.size()).isEqualTo(blob.length);
            try (var in = repo.blobs().open(d.digest(), 0)) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }
            assertThat(driver.list("/docker/registry/v2/blobs/sha256"))
                    .containsExactly("/docker/registry/v2/blobs/sha256/" + d.digest().hex().substring(0, 2));
        }
    }

    @Test
    void anObjectOverTheCapIsRefusedAndTheErrorNamesTheDriver() throws Exception {
        try (Registry registry = Registry.builder().storage("map", Map.of("maxobjectsize", 1000)).build()) {
            byte[] big = new byte[1001];
            assertThatThrownBy(() -> registry.repository("custom/big").uploads()
                    .put(Digest.sha256(big), new ByteArrayInputStream(big)))
                    .hasStackTraceContaining("at most 1000 bytes")
                    .hasStackTraceContaining("map");
            byte[] small = new byte[1000];
            assertThat(registry.repository("custom/big").uploads().put(Digest.sha256(small),
                    new ByteArrayInputStream(small)).size()).isEqualTo(1000);
        }
    }

    @Test
    void unknownOrInvalidParametersAreRefusedByName() {
        assertThatThrownBy(() -> Registry.builder().storage("map", Map.of("maxobjectsise", "10")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxobjectsise");
        assertThatThrownBy(() -> Registry.builder().storage("map", Map.of("maxobjectsize", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxobjectsize")
                .hasMessageContaining("lots");
    }

    @Test
    void aMisspelledDriverNameListsTheDriversThatExist() {
        assertThatThrownBy(() -> Registry.builder().storage("maps", Map.of()))
                // filesystem too, when registry-junit (MapStorageOverHttpTest) has brought it onto the class path
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("available: ")
                .hasMessageContaining("inmemory, map");
    }
}
