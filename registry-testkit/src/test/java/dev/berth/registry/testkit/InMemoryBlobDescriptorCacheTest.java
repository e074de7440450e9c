package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Caches;
import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCache;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryBlobDescriptorCacheTest extends BlobDescriptorCacheKit {
    @Override
    protected BlobDescriptorCache createCache() {
        return Caches.create("inmemory", Map.of("size", 1000));
    }

    @Test
    void staysWithinItsBound() {
        InMemoryBlobDescriptorCache small = new InMemoryBlobDescriptorCache(100, Duration.ofMinutes(1));
        for (int i = 0; i < 1000; i++) {
            small.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, digest(), i));
        }
        assertThat(small.size()).isLessThanOrEqualTo(100);
    }

    @Test
    void rejectsUnknownAndBadParametersNamingThem() {
        assertThatThrownBy(() -> Caches.create("inmemory", Map.of("sise", 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sise");
        assertThatThrownBy(() -> Caches.create("inmemory", Map.of("size", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> Caches.create("inmemory", Map.of("size", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> Caches.create("memcached", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inmemory");
    }
}
