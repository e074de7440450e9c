package dev.berth.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.testkit.StorageDriverFixture;
import dev.berth.registry.testkit.StorageDriverKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Everything Berth's own drivers pass (the driver's operations, a whole registry over it, garbage collection, upload
 * purging), plus what is particular to this one.
 */
class MapStorageDriverTest extends StorageDriverKit {
    @Override
    protected StorageDriver createDriver() {
        return new MapStorageDriver(Long.MAX_VALUE);
    }

    /** Checks of this driver's own, on the kit's set-up (a fresh driver, a private prefix, nothing left behind). */
    @Nested
    class MapSpecific extends StorageDriverFixture {
        @Test
        void movingAnObjectOntoItselfKeepsIt() throws Exception {
            rawDriver().putContent(path("/a"), "kept".getBytes(StandardCharsets.UTF_8));
            rawDriver().move(path("/a"), path("/a"));
            assertThat(driver().getContent(path("/a"))).asString(StandardCharsets.UTF_8).isEqualTo("kept");
        }

        @Test
        void aWriterStopsAtTheSizeCapAndKeepsWhatFitted() throws Exception {
            try (MapStorageDriver capped = new MapStorageDriver(10)) {
                StorageWriter w = capped.writer("/capped", false);
                w.write(new byte[8], 0, 8);
                assertThatThrownBy(() -> w.write(new byte[3], 0, 3)).isInstanceOf(IOException.class)
                        .hasMessageContaining("at most 10 bytes");
                w.commit();
                assertThat(capped.stat("/capped").size()).isEqualTo(8);
                assertThatThrownBy(() -> capped.putContent("/big", new byte[11])).isInstanceOf(IOException.class);
            }
        }
    }
}
