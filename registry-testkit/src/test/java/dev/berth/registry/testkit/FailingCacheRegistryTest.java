package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.CacheException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/** The whole-registry kit with a cache that fails every call: every answer must still be right. */
class FailingCacheRegistryTest extends RegistryContract {
    private final BlobDescriptorCache broken = new BrokenCache();

    @Override
    protected StorageDriver createDriver() {
        return new InMemoryStorageDriver();
    }

    @Override
    protected Registry.Builder configure(Registry.Builder builder) {
        return builder.cache(broken);
    }

    @AfterEach
    void theFailuresWereCounted() {
        assertThat(registry.cacheStats().hits()).isZero();
    }

    /** Fails everything, as a cache whose server is down would. */
    static final class BrokenCache implements BlobDescriptorCache {
        private static CacheException down() {
            return new CacheException("cache is down");
        }

        @Override
        public Optional<Descriptor> blob(Digest digest) {
            throw down();
        }

        @Override
        public void fillBlob(Descriptor descriptor) {
            throw down();
        }

        @Override
        public void invalidateBlob(Digest digest) {
            throw down();
        }

        @Override
        public boolean isLinked(RepositoryName repository, Digest digest) {
            throw down();
        }

        @Override
        public void fillLink(RepositoryName repository, Digest digest) {
            throw new IllegalStateException("not even a CacheException");
        }

        @Override
        public void invalidateLink(RepositoryName repository, Digest digest) {
            throw down();
        }

        @Override
        public Optional<Digest> tag(RepositoryName repository, Tag tag) {
            throw down();
        }

        @Override
        public void fillTag(RepositoryName repository, Tag tag, Digest digest) {
            throw down();
        }

        @Override
        public void invalidateTag(RepositoryName repository, Tag tag) {
            throw down();
        }

        @Override
        public void close() {
            throw down();
        }
    }
}
