package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link BlobDescriptorCache} passes. Extend it and say how to build your cache:
 *
 * <pre>{@code
 * class MyCacheTest extends BlobDescriptorCacheKit {
 *     @Override protected BlobDescriptorCache createCache() { return new MyCache(...); }
 * }
 * }</pre>
 *
 * <p>A fresh cache is created before each test and closed after it. Each test uses digests and repository names of
 * its own (random), so a cache pointed at a shared backend (one Redis) can run the kit without flushing it.
 *
 * <p>What it checks: fills are read back exactly (size, media type, sha256 and sha512 digests), entries are
 * separate per repository and per tag (names with slashes, names that are prefixes of others), an invalidation
 * removes the entry, a fill right after an invalidation is ignored (the race the SPI describes) and counts again
 * after the grace period ({@link #invalidationGrace()}), and concurrent fills and invalidations end consistent.
 */
public abstract class BlobDescriptorCacheKit {

    /** A new cache for one test. */
    protected abstract BlobDescriptorCache createCache() throws Exception;

    /** How long after an invalidation the cache may ignore fills; the kit waits this long (plus a margin) once. */
    protected Duration invalidationGrace() {
        return Duration.ofSeconds(2);
    }

    protected BlobDescriptorCache cache;
    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private int counter;

    @BeforeEach
    void openCache() throws Exception {
        cache = createCache();
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    protected Digest digest() {
        return Digest.sha256((unique + "-" + counter++).getBytes(StandardCharsets.UTF_8));
    }

    protected RepositoryName repo(String suffix) {
        return RepositoryName.parse("testkit-" + unique + "/" + suffix);
    }

    @Test
    public void missesWhatWasNeverFilled() {
        Digest d = digest();
        assertThat(cache.blob(d)).isEmpty();
        assertThat(cache.isLinked(repo("a"), d)).isFalse();
        assertThat(cache.tag(repo("a"), new Tag("latest"))).isEmpty();
    }

    @Test
    public void returnsAFilledBlobDescriptorExactly() {
        Digest d = digest();
        Descriptor big = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d, 5_000_000_000L);
        cache.fillBlob(big);
        assertThat(cache.blob(d)).contains(big);
        Digest empty = digest();
        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, empty, 0));
        assertThat(cache.blob(empty)).contains(Descriptor.of(MediaTypes.OCTET_STREAM, empty, 0));
    }

    @Test
    public void keepsSha512DigestsApartFromSha256() {
        byte[] content = (unique + "-512").getBytes(StandardCharsets.UTF_8);
        Digest d256 = Digest.sha256(content);
        Digest d512 = Digest.of(Digest.Algorithm.SHA512, content);
        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, d512, 12));
        assertThat(cache.blob(d512)).map(Descriptor::size).contains(12L);
        assertThat(cache.blob(d256)).isEmpty();
        cache.fillTag(repo("a"), new Tag("v1"), d512);
        assertThat(cache.tag(repo("a"), new Tag("v1"))).contains(d512);
    }

    @Test
    public void invalidatingABlobForgetsIt() {
        Digest d = digest();
        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, d, 3));
        cache.invalidateBlob(d);
        assertThat(cache.blob(d)).isEmpty();
    }

    @Test
    public void membershipIsPerRepository() {
        Digest d = digest();
        cache.fillLink(repo("a"), d);
        assertThat(cache.isLinked(repo("a"), d)).isTrue();
        assertThat(cache.isLinked(repo("b"), d)).isFalse();
        assertThat(cache.isLinked(repo("a/b"), d)).as("a longer name is another repository").isFalse();
        assertThat(cache.isLinked(repo("a"), digest())).isFalse();
        cache.fillLink(repo("b"), d);
        cache.invalidateLink(repo("a"), d);
        assertThat(cache.isLinked(repo("a"), d)).isFalse();
        assertThat(cache.isLinked(repo("b"), d)).as("invalidating one repository leaves the other").isTrue();
    }

    @Test
    public void linkedBlobNeedsBothTheLinkAndTheDescriptor() {
        Digest d = digest();
        Descriptor desc = Descriptor.of(MediaTypes.OCTET_STREAM, d, 99);
        assertThat(cache.linkedBlob(repo("a"), d)).isEmpty();
        cache.fillBlob(desc);
        assertThat(cache.linkedBlob(repo("a"), d)).as("descriptor without the link").isEmpty();
        cache.fillLink(repo("a"), d);
        assertThat(cache.linkedBlob(repo("a"), d)).contains(desc);
        assertThat(cache.linkedBlob(repo("b"), d)).isEmpty();
        cache.invalidateLink(repo("a"), d);
        assertThat(cache.linkedBlob(repo("a"), d)).isEmpty();
        Digest other = digest();
        cache.fillLink(repo("a"), other);
        assertThat(cache.linkedBlob(repo("a"), other)).as("link without the descriptor").isEmpty();
    }

    @Test
    public void tagsArePerRepositoryAndTag() {
        Digest one = digest();
        Digest two = digest();
        cache.fillTag(repo("a"), new Tag("latest"), one);
        cache.fillTag(repo("a/latest"), new Tag("x"), two);
        cache.fillTag(repo("b"), new Tag("latest"), two);
        assertThat(cache.tag(repo("a"), new Tag("latest"))).contains(one);
        assertThat(cache.tag(repo("a/latest"), new Tag("x"))).contains(two);
        assertThat(cache.tag(repo("b"), new Tag("latest"))).contains(two);
        assertThat(cache.tag(repo("a"), new Tag("Latest"))).as("tags are case-sensitive").isEmpty();
        cache.invalidateTag(repo("a"), new Tag("latest"));
        assertThat(cache.tag(repo("a"), new Tag("latest"))).isEmpty();
        assertThat(cache.tag(repo("b"), new Tag("latest"))).contains(two);
    }

    @Test
    public void aFillRightAfterAnInvalidationIsIgnored() {
        // A reader that read storage before a delete must not put the old value back after the delete's invalidation.
        Digest d = digest();
        RepositoryName r = repo("race");
        Tag t = new Tag("v1");
        cache.fillTag(r, t, d);
        cache.fillLink(r, d);
        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, d, 7));
        cache.invalidateTag(r, t);
        cache.invalidateLink(r, d);
        cache.invalidateBlob(d);
        cache.fillTag(r, t, d);
        cache.fillLink(r, d);
        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, d, 7));
        assertThat(cache.tag(r, t)).isEmpty();
        assertThat(cache.isLinked(r, d)).isFalse();
        assertThat(cache.blob(d)).isEmpty();
    }

    @Test
    public void fillsCountAgainAfterTheGracePeriod() throws Exception {
        Digest d = digest();
        RepositoryName r = repo("later");
        Tag t = new Tag("v1");
        cache.invalidateTag(r, t);
        cache.invalidateLink(r, d);
        cache.invalidateBlob(d);
        // A lower bound, so no loaded machine makes this flaky: at least this long has passed since the invalidations
        // returned, all the SPI allows; the fills below must count. (Polling instead would let a longer grace pass.)
        Thread.sleep(invalidationGrace().toMillis() + 300);
        cache.fillTag(r, t, d);
        cache.fillLink(r, d);
        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, d, 7));
        assertThat(cache.tag(r, t)).contains(d);
        assertThat(cache.isLinked(r, d)).isTrue();
        assertThat(cache.blob(d)).map(Descriptor::size).contains(7L);
    }

    @Test
    @Timeout(60)
    public void concurrentFillsThenAnInvalidationEndInAMiss() throws Exception {
        RepositoryName r = repo("concurrent");
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            digests.add(digest());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                int seed = thread;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        Digest d = digests.get((i * 7 + seed) % digests.size());
                        cache.fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, d, i));
                        cache.fillLink(r, d);
                        cache.fillTag(r, new Tag("t" + (i % 10)), d);
                        cache.blob(d);
                        cache.isLinked(r, d);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Digest d : digests) {
            cache.invalidateLink(r, d);
            assertThat(cache.isLinked(r, d)).isFalse();
        }
        for (int i = 0; i < 10; i++) {
            Tag t = new Tag("t" + i);
            assertThat(cache.tag(r, t)).as("tag t%s holds one of the filled digests", i)
                    .hasValueSatisfying(d -> assertThat(digests).contains(d));
            cache.invalidateTag(r, t);
            assertThat(cache.tag(r, t)).isEmpty();
        }
    }

    @Test
    public void closingTwiceIsHarmless() {
        cache.close();
        // closeCache() closes it once more after the test
    }
}
