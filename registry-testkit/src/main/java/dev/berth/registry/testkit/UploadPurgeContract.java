package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.UploadPurgeReport.PurgedUpload;
import dev.berth.registry.UploadPurgeReport;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * Upload purging ({@link Registry#purgeUploads}) over a storage driver: old uploads go, young ones stay, a dry run
 * deletes nothing, nested repositories are found, and uploads that finish or are cancelled while the purge walks are
 * skipped without error; one group of {@link StorageDriverKit}. The kit assumes that the driver reports modification
 * times of objects (an upload whose {@code startedat} is unreadable is dated by them).
 */
public abstract class UploadPurgeContract extends UploadPurgeFixture {

    private boolean exists(Registry via, String repository, String id) {
        try {
            via.repository(repository).uploads().status(id);
            return true;
        } catch (RegistryException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN);
            return false;
        }
    }

    @Test
    void purgesUploadsOlderThanTheAgeAndKeepsYoungerOnes() throws Exception {
        Instant startedFrom = Instant.now().minus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS);
        String old = upload(tenDaysAgo, "lib/app", bytes("abandoned ten days ago"));
        Instant startedTo = Instant.now().minus(Duration.ofDays(10));
        String young = upload(anHourAgo, "lib/app", bytes("still going"));
        Instant before = Instant.now();

        UploadPurgeReport report = registry.purgeUploads(AGE, false);

        assertThat(report.dryRun()).isFalse();
        assertThat(report.cutoff()).isBetween(before.minus(AGE).minusSeconds(5), Instant.now().minus(AGE));
        assertThat(report.purged()).singleElement().satisfies(p -> {
            assertThat(p.repository()).isEqualTo(RepositoryName.parse("lib/app"));
            assertThat(p.id()).isEqualTo(old);
            assertThat(p.startedAt()).as("its startedat").isBetween(startedFrom, startedTo);
            assertThat(p.bytes()).isEqualTo("abandoned ten days ago".length());
        });
        assertThat(report.count()).isEqualTo(1);
        assertThat(report.bytes()).isEqualTo("abandoned ten days ago".length());
        assertThat(report.kept()).isEqualTo(1);
        assertThat(report.undated()).isZero();
        assertThat(report.failed()).isZero();
        assertThat(exists(registry, "lib/app", old)).as("the old upload").isFalse();
        assertThat(exists(registry, "lib/app", young)).as("the young upload").isTrue();

        // The young upload is untouched: it can still be finished.
        byte[] rest = bytes("still going and done");
        Repository repo = registry.repository("lib/app");
        repo.uploads().append(young, new ByteArrayInputStream(rest, 11, rest.length - 11));
        repo.uploads().commit(young, Digest.sha256(rest), null);
        try (InputStream in = repo.blobs().open(Digest.sha256(rest), 0)) {
            assertThat(in.readAllBytes()).isEqualTo(rest);
        }
    }

    @Test
    void aDryRunReportsWhatItWouldPurgeAndDeletesNothing() throws Exception {
        String old = upload(tenDaysAgo, "lib/app", bytes("old"));
        upload(anHourAgo, "lib/app", bytes("young"));
        Map<String, Long> before = snapshot();

        UploadPurgeReport report = registry.purgeUploads(AGE, true);

        assertThat(report.dryRun()).isTrue();
        assertThat(report.purged()).extracting(PurgedUpload::id).containsExactly(old);
        assertThat(report.bytes()).isEqualTo(3);
        assertThat(report.kept()).isEqualTo(1);
        assertThat(report.incompleteWritesAborted()).isZero();
        assertThat(snapshot()).isEqualTo(before);
        assertThat(exists(registry, "lib/app", old)).isTrue();
    }

    @Test
    void findsUploadsOfNestedRepositoriesAndLeavesTheirContentAlone() throws Exception {
        // A repository with content, and a tag whose name is that of the uploads folder: _manifests is not walked.
        Repository a = registry.repository("a");
        byte[] config = bytes("{}");
        a.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        a.manifests().put(Reference.parse("_uploads"), MediaTypes.OCI_MANIFEST, manifest);
        String inA = upload(tenDaysAgo, "a", bytes("1"));
        String inB = upload(tenDaysAgo, "a/b", bytes("22"));
        String inC = upload(tenDaysAgo, "a/b/c", bytes("333"));
        String inOther = upload(tenDaysAgo, "other/deep/down/here", new byte[0]);
        String youngInC = upload(anHourAgo, "a/b/c", bytes("young"));

        UploadPurgeReport report = registry.purgeUploads(AGE, false);

        assertThat(report.purged()).extracting(p -> p.repository().value() + "@" + p.id())
                .containsExactlyInAnyOrder("a@" + inA, "a/b@" + inB, "a/b/c@" + inC,
                        "other/deep/down/here@" + inOther);
        assertThat(report.bytes()).isEqualTo(6);
        assertThat(report.kept()).isEqualTo(1);
        assertThat(exists(registry, "a/b/c", youngInC)).isTrue();
        assertThat(a.tags().list()).containsExactly(new Tag("_uploads"));
        assertThat(a.manifests().get(Reference.parse("_uploads"))).isPresent();
        assertThat(a.blobs().stat(Digest.sha256(config))).isPresent();
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("a"));
    }

    @Test
    void anUploadWithAnUnreadableStartTimeIsDatedByItsData() throws Exception {
        String id = upload(registry, "lib/app", bytes("data"));
        driver.putContent("/docker/registry/v2/repositories/lib/app/_uploads/" + id + "/startedat",
                bytes("not a time"));

        UploadPurgeReport now = registry.purgeUploads(AGE, false);
        assertThat(now.purged()).isEmpty();
        assertThat(now.kept()).isEqualTo(1);
        assertThat(exists(registry, "lib/app", id)).isTrue();

        // An hour later, with an age of half an hour, the data's modification time makes it old enough.
        Registry later = Registry.builder().storage(driver).clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(1)))
                .build();
        UploadPurgeReport report = later.purgeUploads(Duration.ofMinutes(30), false);
        assertThat(report.purged()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo(id);
            assertThat(p.bytes()).isEqualTo(4);
            assertThat(p.startedAt()).isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now());
        });
        assertThat(exists(registry, "lib/app", id)).isFalse();
    }

    @Test
    void anUploadThatFinishesOrIsCancelledWhileThePurgeWalksIsSkipped() throws Exception {
        byte[] finished = bytes("finished during the purge");
        String toFinish = upload(tenDaysAgo, "lib/app", finished);
        String toCancel = upload(tenDaysAgo, "lib/app", bytes("cancelled during the purge"));
        String toCancelLate = upload(tenDaysAgo, "lib/app", bytes("cancelled after its start time was read"));
        String abandoned = upload(tenDaysAgo, "lib/app", bytes("abandoned"));
        Repository other = tenDaysAgo.repository("lib/app");
        String uploads = "/docker/registry/v2/repositories/lib/app/_uploads";
        // Right after the purge lists the uploads, another instance finishes one and cancels another; and one more
        // is cancelled right after the purge read its start time.
        HookedDriver hooked = new HookedDriver(driver);
        hooked.after((op, path) -> op.equals("list") && path.equals(uploads), () -> {
            other.uploads().commit(toFinish, Digest.sha256(finished), null);
            other.uploads().cancel(toCancel);
        });
        hooked.after((op, path) -> op.equals("getContent") && path.equals(uploads + "/" + toCancelLate + "/startedat"),
                () -> other.uploads().cancel(toCancelLate));
        Registry purging = Registry.builder().storage(hooked).build();

        UploadPurgeReport report = purging.purgeUploads(AGE, false);

        assertThat(hooked.fired).as("hooks that ran").isEqualTo(2);
        assertThat(report.purged()).extracting(PurgedUpload::id).containsExactly(abandoned);
        assertThat(report.failed()).isZero();
        try (InputStream in = registry.repository("lib/app").blobs().open(Digest.sha256(finished), 0)) {
            assertThat(in.readAllBytes()).isEqualTo(finished);
        }
        assertThat(children(uploads)).isEmpty();
    }

    /** The children of a folder; none when it is gone (drivers differ on whether an emptied folder stays). */
    private List<String> children(String path) throws IOException {
        try {
            return driver.list(path);
        } catch (PathNotFoundException gone) {
            return List.of();
        }
    }

    @Test
    void anUploadThisInstanceIsWritingAChunkToIsKept() throws Exception {
        // Old by its start time, but a chunk is arriving right now on the purging instance.
        String id = upload(tenDaysAgo, "lib/app", bytes("old but busy"));
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream slowChunk = new InputStream() {
            private boolean sent;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent) {
                    return -1;
                }
                reading.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                sent = true;
                b[off] = '!';
                return 1;
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> append = pool.submit(() -> registry.repository("lib/app").uploads().append(id, slowChunk));
            assertThat(reading.await(30, TimeUnit.SECONDS)).isTrue();
            UploadPurgeReport report = registry.purgeUploads(AGE, false);
            assertThat(report.purged()).isEmpty();
            assertThat(report.kept()).isEqualTo(1);
            release.countDown();
            append.get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(registry.repository("lib/app").uploads().status(id).offset()).isEqualTo(13);
        assertThat(registry.purgeUploads(AGE, false).purged()).extracting(PurgedUpload::id).containsExactly(id);
    }

    @Test
    void anEmptyStoreHasNothingToPurge() {
        UploadPurgeReport report = registry.purgeUploads(AGE, false);
        assertThat(report.purged()).isEmpty();
        assertThat(report.kept() + report.undated() + report.failed()).isZero();
    }

    @Test
    void aNegativeAgeIsRefused() {
        assertThatThrownBy(() -> registry.purgeUploads(Duration.ofHours(-1), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A driver that runs a hook once, right after the first call an operation-and-path test matches. */
    protected static final class HookedDriver extends ForwardingStorageDriver {
        interface Hook {
            void run() throws Exception;
        }

        private final List<Object[]> hooks = new CopyOnWriteArrayList<>();
        int fired;

        HookedDriver(StorageDriver d) {
            super(d);
        }

        void after(BiPredicate<String, String> when, Hook hook) {
            hooks.add(new Object[] {when, hook});
        }

        @SuppressWarnings("unchecked")
        private <T> T fire(String op, String path, T result) throws IOException {
            for (Object[] h : hooks) {
                if (((BiPredicate<String, String>) h[0]).test(op, path)) {
                    hooks.remove(h);
                    fired++;
                    try {
                        ((Hook) h[1]).run();
                    } catch (Exception e) {
                        throw new IllegalStateException("hook failed", e);
                    }
                }
            }
            return result;
        }

        @Override
        public byte[] getContent(String path) throws IOException {
            return fire("getContent", path, super.getContent(path));
        }

        @Override
        public FileInfo stat(String path) throws IOException {
            return fire("stat", path, super.stat(path));
        }

        @Override
        public List<String> list(String path) throws IOException {
            return fire("list", path, super.list(path));
        }
    }
}
