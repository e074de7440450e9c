package dev.berth.registry.testkit;

import static dev.berth.registry.testkit.TestContent.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Page;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.registry.repository.Uploads.UploadStatus;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.TestContent.Blob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's behaviour over a storage driver, one group of {@link StorageDriverKit}: uploads, blobs, manifests,
 * tags, referrers and catalog, exactly as the store promises them, plus the on-disk layout CNCF distribution reads.
 * It proves the whole registry works on the driver, not only the driver's own operations
 * ({@link StorageDriverContract} covers those).
 *
 * <p>Each test gets a fresh driver and must be able to assume it is empty: the enclosing kit's
 * {@link StorageDriverKit#createDriver()}, or this class's {@link #createDriver()} when a test overrides it to run the
 * group on its own (over the in-memory driver with a cache under test, say, configured by {@link #configure}).
 */
public abstract class RegistryContract extends KitGroup {

    /**
     * A second driver over the same storage as {@code first}, as a second replica would have: by default the
     * enclosing kit's {@link StorageDriverKit#createSecondDriver}, or {@code first} itself when there is no kit.
     */
    protected StorageDriver createSecondDriver(StorageDriver first) throws Exception {
        return enclosingKit() == null ? first : enclosingKit().createSecondDriver(first);
    }

    /**
     * Adds what the registries of a test are built with beyond their storage (a cache, say); called for each
     * registry a test builds, including the second instances some tests open over the same storage.
     */
    protected Registry.Builder configure(Registry.Builder builder) throws Exception {
        return builder;
    }

    /** The driver under test, wrapped as a registry wraps it; {@link #registry} is built on it. */
    protected StorageDriver driver;
    protected Registry registry;
    protected Repository repo;
    protected final Random random = new Random(20261122);

    @BeforeEach
    void openRegistry() throws Exception {
        driver = StorageDrivers.checked(createDriver());
        registry = configure(Registry.builder().storage(driver)).build();
        repo = registry.repository("library/test");
    }

    @AfterEach
    void closeRegistry() throws Exception {
        registry.close();
    }

    // ---------------------------------------------------------------- uploads and blobs

    @Test
    public void monolithicUploadMakesBlobReadableWholeAndAtOffsets() throws Exception {
        Blob blob = TestContent.randomBlob(random, 300_000);
        Descriptor d = repo.uploads().put(blob.digest(), new ByteArrayInputStream(blob.bytes()));

        assertThat(d.digest()).isEqualTo(blob.digest());
        assertThat(d.size()).isEqualTo(blob.size());
        assertThat(repo.blobs().stat(blob.digest())).hasValueSatisfying(s -> assertThat(s.size()).isEqualTo(blob.size()));
        try (InputStream in = repo.blobs().open(blob.digest(), 0)) {
            assertThat(Arrays.mismatch(in.readAllBytes(), blob.bytes())).isEqualTo(-1);
        }
        try (InputStream in = repo.blobs().open(blob.digest(), 123_456)) {
            assertThat(Arrays.mismatch(in.readAllBytes(), Arrays.copyOfRange(blob.bytes(), 123_456, blob.bytes().length)))
                    .isEqualTo(-1);
        }
        try (InputStream in = repo.blobs().open(blob.digest(), blob.size())) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertCode(() -> repo.blobs().open(blob.digest(), blob.size() + 1), ErrorCode.RANGE_INVALID);
    }

    @Test
    public void emptyBlobCanBeUploaded() throws Exception {
        Blob empty = TestContent.blob(new byte[0]);
        repo.uploads().put(empty.digest(), InputStream.nullInputStream());
        assertThat(repo.blobs().stat(empty.digest())).hasValueSatisfying(d -> assertThat(d.size()).isZero());
    }

    @Test
    public void chunkedUploadReportsProgressAndCommits() throws Exception {
        Blob blob = TestContent.randomBlob(random, 2_500_000);
        UploadStatus started = repo.uploads().start();
        assertThat(started.offset()).isZero();

        long offset = 0;
        for (int chunk : new int[] {1_000_000, 1, 999_999, 500_000}) {
            UploadStatus s = repo.uploads().append(started.id(), offset, slice(blob, offset, chunk));
            offset += chunk;
            assertThat(s.offset()).isEqualTo(offset);
            assertThat(repo.uploads().status(started.id()).offset()).isEqualTo(offset);
        }
        assertThat(repo.blobs().stat(blob.digest())).as("not visible before commit").isEmpty();
        Descriptor d = repo.uploads().commit(started.id(), blob.digest(), null);
        assertThat(d.size()).isEqualTo(blob.size());
        assertThat(Arrays.mismatch(readBlob(repo, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
        assertCode(() -> repo.uploads().status(started.id()), ErrorCode.BLOB_UPLOAD_UNKNOWN);
    }

    @Test
    public void commitMayCarryTheLastChunk() throws Exception {
        Blob blob = TestContent.randomBlob(random, 10_000);
        UploadStatus up = repo.uploads().start();
        repo.uploads().append(up.id(), slice(blob, 0, 4_000));
        repo.uploads().commit(up.id(), blob.digest(), 4_000, slice(blob, 4_000, 6_000));
        assertThat(Arrays.mismatch(readBlob(repo, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
    }

    @Test
    public void outOfOrderChunkIsRangeInvalidAndWritesNothing() throws Exception {
        Blob blob = TestContent.randomBlob(random, 1000);
        UploadStatus up = repo.uploads().start();
        repo.uploads().append(up.id(), 0, slice(blob, 0, 500));

        assertCode(() -> repo.uploads().append(up.id(), 600, slice(blob, 600, 400)), ErrorCode.RANGE_INVALID);
        assertCode(() -> repo.uploads().append(up.id(), 0, slice(blob, 0, 500)), ErrorCode.RANGE_INVALID);
        assertThat(repo.uploads().status(up.id()).offset()).isEqualTo(500);

        repo.uploads().append(up.id(), 500, slice(blob, 500, 500));
        repo.uploads().commit(up.id(), blob.digest(), null);
        assertThat(Arrays.mismatch(readBlob(repo, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
    }

    @Test
    public void wrongDigestIsRejectedAndNothingBecomesVisible() throws Exception {
        Blob blob = TestContent.randomBlob(random, 5000);
        Blob other = TestContent.randomBlob(random, 5000);
        UploadStatus up = repo.uploads().start();
        repo.uploads().append(up.id(), new ByteArrayInputStream(blob.bytes()));

        assertCode(() -> repo.uploads().commit(up.id(), other.digest(), null), ErrorCode.DIGEST_INVALID);
        assertThat(repo.blobs().stat(other.digest())).isEmpty();
        assertThat(repo.blobs().stat(blob.digest())).isEmpty();
        assertThat(walkCount("/docker/registry/v2/blobs")).isZero();
        assertCode(() -> repo.uploads().status(up.id()), ErrorCode.BLOB_UPLOAD_UNKNOWN);
    }

    @Test
    public void sha512DigestsAreVerified() throws Exception {
        byte[] bytes = utf8("sha512 content");
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512, bytes);
        repo.uploads().put(sha512, new ByteArrayInputStream(bytes));
        assertThat(Arrays.mismatch(readBlob(repo, sha512), bytes)).as("first differing byte").isEqualTo(-1);
        assertCode(() -> repo.uploads().put(Digest.of(Digest.Algorithm.SHA512, utf8("other")),
                new ByteArrayInputStream(bytes)), ErrorCode.DIGEST_INVALID);
    }

    @Test
    public void unknownOrMaliciousUploadIdsAreUploadUnknown() {
        for (String id : new String[] {"nope", "../../etc/passwd", "00000000-0000-0000-0000-000000000000", "",
                "A0000000-0000-0000-0000-000000000000"}) {
            assertCode(() -> repo.uploads().status(id), ErrorCode.BLOB_UPLOAD_UNKNOWN);
            assertCode(() -> repo.uploads().append(id, InputStream.nullInputStream()), ErrorCode.BLOB_UPLOAD_UNKNOWN);
            assertCode(() -> repo.uploads().cancel(id), ErrorCode.BLOB_UPLOAD_UNKNOWN);
        }
    }

    @Test
    public void uploadOfOneRepositoryIsUnknownInAnother() throws Exception {
        UploadStatus up = repo.uploads().start();
        assertCode(() -> registry.repository("other").uploads().status(up.id()), ErrorCode.BLOB_UPLOAD_UNKNOWN);
    }

    @Test
    public void cancelFreesTheUpload() throws Exception {
        UploadStatus up = repo.uploads().start();
        repo.uploads().append(up.id(), new ByteArrayInputStream(new byte[1000]));
        repo.uploads().cancel(up.id());
        assertCode(() -> repo.uploads().status(up.id()), ErrorCode.BLOB_UPLOAD_UNKNOWN);
        assertThat(walkCount("/docker/registry/v2/repositories/library/test/_uploads")).isZero();
    }

    @Test
    public void clientThatDisconnectsLeavesAResumableUpload() throws Exception {
        Blob blob = TestContent.randomBlob(random, 3_000_000);
        UploadStatus up = repo.uploads().start();
        InputStream failing = new FailingStream(new ByteArrayInputStream(blob.bytes()), 1_700_000);
        assertThatThrownBy(() -> repo.uploads().append(up.id(), 0, failing)).isInstanceOf(IOException.class);

        long received = repo.uploads().status(up.id()).offset();
        assertThat(received).as("every byte that arrived is kept").isEqualTo(1_700_000L);
        assertThat(repo.blobs().stat(blob.digest())).isEmpty();
        repo.uploads().append(up.id(), received, slice(blob, received, (int) (blob.size() - received)));
        repo.uploads().commit(up.id(), blob.digest(), null);
        assertThat(Arrays.mismatch(readBlob(repo, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
    }

    @Test
    public void anotherInstanceCanContinueAndCommitAnUpload() throws Exception {
        Blob blob = TestContent.randomBlob(random, 4_000_000);
        try (Registry second = configure(Registry.builder().storage(createSecondDriver(driver))).build()) {
            Repository[] replicas = {repo, second.repository("library/test")};
            UploadStatus up = replicas[0].uploads().start();
            long offset = 0;
            int i = 0;
            for (int chunk : new int[] {700_000, 1_300_000, 1_000_000, 1_000_000}) {
                replicas[i++ % 2].uploads().append(up.id(), offset, slice(blob, offset, chunk));
                offset += chunk;
            }
            replicas[1].uploads().commit(up.id(), blob.digest(), null);
            assertThat(Arrays.mismatch(readBlob(repo, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
        }
    }

    @Test
    public void aFreshInstanceWithoutTheRunningDigestStillVerifies() throws Exception {
        Blob blob = TestContent.randomBlob(random, 1_000_000);
        UploadStatus up = repo.uploads().start();
        repo.uploads().append(up.id(), new ByteArrayInputStream(blob.bytes()));
        try (Registry fresh = configure(Registry.builder().storage(createSecondDriver(driver))).build()) {
            Repository other = fresh.repository("library/test");
            assertCode(() -> other.uploads().commit(up.id(), TestContent.text("wrong").digest(), null),
                    ErrorCode.DIGEST_INVALID);
        }
        UploadStatus again = repo.uploads().start();
        repo.uploads().append(again.id(), new ByteArrayInputStream(blob.bytes()));
        try (Registry fresh = configure(Registry.builder().storage(createSecondDriver(driver))).build()) {
            fresh.repository("library/test").uploads().commit(again.id(), blob.digest(), null);
        }
        assertThat(Arrays.mismatch(readBlob(repo, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
    }

    @Test
    public void concurrentPushesOfOneBlobAllSucceedAndStoreOneCopy() throws Exception {
        Blob blob = TestContent.randomBlob(random, 2_000_000);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Descriptor>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Repository r = registry.repository("concurrent/r" + (i % 3));
                results.add(pool.submit(() -> r.uploads().put(blob.digest(), new ByteArrayInputStream(blob.bytes()))));
            }
            for (Future<Descriptor> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS).digest()).isEqualTo(blob.digest());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(walkCount("/docker/registry/v2/blobs")).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(Arrays.mismatch(readBlob(registry.repository("concurrent/r" + i), blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
        }
    }

    @Test
    public void blobsAreVisibleOnlyInRepositoriesThatLinkThem() throws Exception {
        Blob blob = push(repo, TestContent.text("layer"));
        Repository other = registry.repository("other/repo");
        assertThat(other.blobs().stat(blob.digest())).isEmpty();
        assertCode(() -> other.blobs().open(blob.digest(), 0), ErrorCode.BLOB_UNKNOWN);
    }

    @Test
    public void mountLinksABlobFromAnotherRepositoryWithoutCopying() throws Exception {
        Blob blob = push(repo, TestContent.randomBlob(random, 1000));
        Repository target = registry.repository("target/repo");
        assertThat(target.blobs().mount(blob.digest(), repo.name())).isPresent();
        assertThat(Arrays.mismatch(readBlob(target, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
        assertThat(walkCount("/docker/registry/v2/blobs")).isEqualTo(1);

        Blob missing = TestContent.text("not pushed");
        assertThat(target.blobs().mount(missing.digest(), repo.name())).isEmpty();
        assertThat(target.blobs().stat(missing.digest())).isEmpty();
    }

    @Test
    public void deletingABlobUnlinksItFromTheRepositoryOnly() throws Exception {
        Blob blob = push(repo, TestContent.text("to delete"));
        Repository other = registry.repository("keeps/it");
        other.blobs().mount(blob.digest(), repo.name());

        repo.blobs().delete(blob.digest());
        assertThat(repo.blobs().stat(blob.digest())).isEmpty();
        assertThat(Arrays.mismatch(readBlob(other, blob.digest()), blob.bytes())).as("first differing byte").isEqualTo(-1);
        assertCode(() -> repo.blobs().delete(blob.digest()), ErrorCode.BLOB_UNKNOWN);
    }

    @Test
    public void deletesCanBeDisabled() throws Exception {
        try (Registry readOnlyDeletes = configure(Registry.builder().storage(createSecondDriver(driver))).deletesEnabled(false).build()) {
            Repository r = readOnlyDeletes.repository("library/test");
            Blob blob = push(r, TestContent.text("kept"));
            assertCode(() -> r.blobs().delete(blob.digest()), ErrorCode.UNSUPPORTED);
            assertCode(() -> r.tags().delete(new Tag("x")), ErrorCode.UNSUPPORTED);
            assertCode(() -> r.manifests().delete(blob.digest()), ErrorCode.UNSUPPORTED);
            assertThat(r.blobs().stat(blob.digest())).isPresent();
        }
    }

    // ---------------------------------------------------------------- manifests and tags

    @Test
    public void pushedImageIsServedByTagAndDigestWithExactBytes() throws Exception {
        byte[] manifest = pushImage(repo, false, 2);
        Manifests.PutResult put = repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest);
        assertThat(put.digest()).isEqualTo(Digest.sha256(manifest));

        StoredManifest byTag = repo.manifests().getOrThrow(Reference.parse("v1"));
        StoredManifest byDigest = repo.manifests().getOrThrow(Reference.of(put.digest()));
        assertThat(byTag.bytes()).isEqualTo(manifest);
        assertThat(byDigest.bytes()).isEqualTo(manifest);
        assertThat(byTag.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(byTag.digest()).isEqualTo(put.digest());
    }

    @Test
    public void dockerSchema2ManifestKeepsItsMediaType() throws Exception {
        byte[] manifest = pushImage(repo, true, 1);
        repo.manifests().put(Reference.parse("docker"), MediaTypes.DOCKER_MANIFEST, manifest);
        assertThat(repo.manifests().getOrThrow(Reference.parse("docker")).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    public void manifestReferencingAnUnknownBlobIsRejected() throws Exception {
        Blob config = push(repo, TestContent.text("{\"architecture\":\"amd64\"}"));
        Blob notPushed = TestContent.text("missing layer");
        byte[] manifest = utf8(TestContent.imageManifest(false, config, List.of(notPushed)));
        RegistryException e = assertCode(() -> repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST,
                manifest), ErrorCode.MANIFEST_BLOB_UNKNOWN);
        assertThat(e.detail()).contains(notPushed.digest().toString());
        assertThat(repo.manifests().get(Reference.parse("v1"))).isEmpty();
        assertThat(repo.manifests().get(Reference.of(Digest.sha256(manifest)))).isEmpty();
    }

    @Test
    public void manifestReferencingABlobOfAnotherRepositoryIsRejected() throws Exception {
        Repository other = registry.repository("other");
        byte[] manifest = pushImage(other, false, 1);
        assertCode(() -> repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest),
                ErrorCode.MANIFEST_BLOB_UNKNOWN);
    }

    @Test
    public void manifestPushedByAWrongDigestIsRejected() throws Exception {
        byte[] manifest = pushImage(repo, false, 1);
        Digest wrong = Digest.sha256(utf8("something else"));
        assertCode(() -> repo.manifests().put(Reference.of(wrong), MediaTypes.OCI_MANIFEST, manifest),
                ErrorCode.DIGEST_INVALID);
        repo.manifests().put(Reference.of(Digest.sha256(manifest)), MediaTypes.OCI_MANIFEST, manifest);
        assertThat(repo.manifests().get(Reference.of(Digest.sha256(manifest)))).isPresent();
        assertThat(repo.tags().list()).isEmpty();
    }

    @Test
    public void malformedManifestIsManifestInvalid() {
        assertCode(() -> repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, utf8("{not json")),
                ErrorCode.MANIFEST_INVALID);
        assertThat(repo.manifests().get(Reference.parse("v1"))).isEmpty();
    }

    @Test
    public void indexRequiresItsChildManifestsInTheRepository() throws Exception {
        byte[] amd64 = pushImage(repo, false, 1);
        byte[] arm64 = pushImage(repo, false, 1);
        byte[] index = utf8(TestContent.index(false, List.of(amd64, arm64),
                List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST)));
        repo.manifests().put(Reference.of(Digest.sha256(amd64)), MediaTypes.OCI_MANIFEST, amd64);
        assertCode(() -> repo.manifests().put(Reference.parse("multi"), MediaTypes.OCI_INDEX, index),
                ErrorCode.MANIFEST_BLOB_UNKNOWN);

        repo.manifests().put(Reference.of(Digest.sha256(arm64)), MediaTypes.OCI_MANIFEST, arm64);
        repo.manifests().put(Reference.parse("multi"), MediaTypes.OCI_INDEX, index);
        StoredManifest stored = repo.manifests().getOrThrow(Reference.parse("multi"));
        assertThat(stored.bytes()).isEqualTo(index);
        assertThat(stored.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    }

    @Test
    public void oneManifestCanBePushedUnderSeveralTags() throws Exception {
        byte[] manifest = pushImage(repo, false, 1);
        repo.manifests().put(Reference.parse("1.0"), MediaTypes.OCI_MANIFEST, manifest,
                List.of(new Tag("1"), new Tag("latest")));
        assertThat(repo.tags().list()).extracting(Tag::value).containsExactly("1", "1.0", "latest");
    }

    @Test
    public void movingATagPointsItAtTheNewManifestAndKeepsTheOld() throws Exception {
        byte[] first = pushImage(repo, false, 1);
        byte[] second = pushImage(repo, false, 1);
        repo.manifests().put(Reference.parse("latest"), MediaTypes.OCI_MANIFEST, first);
        repo.manifests().put(Reference.parse("latest"), MediaTypes.OCI_MANIFEST, second);
        assertThat(repo.manifests().getOrThrow(Reference.parse("latest")).bytes()).isEqualTo(second);
        assertThat(repo.manifests().get(Reference.of(Digest.sha256(first)))).isPresent();
    }

    @Test
    public void tagsAreListedInLexicalOrderWithPaging() throws Exception {
        byte[] manifest = pushImage(repo, false, 1);
        List<String> names = List.of("v10", "v2", "latest", "V1", "a", "a-b", "a.b", "ab", "_x");
        for (String t : names) {
            repo.manifests().put(Reference.parse(t), MediaTypes.OCI_MANIFEST, manifest);
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertThat(repo.tags().list()).extracting(Tag::value).containsExactlyElementsOf(sorted);

        List<String> paged = new ArrayList<>();
        Tag last = null;
        int pages = 0;
        while (true) {
            Page<Tag> page = repo.tags().list(4, last);
            page.items().forEach(t -> paged.add(t.value()));
            pages++;
            if (!page.hasMore()) {
                break;
            }
            last = page.next().orElseThrow();
        }
        assertThat(paged).containsExactlyElementsOf(sorted);
        assertThat(pages).isEqualTo(3);
        assertThat(repo.tags().list(0, (String) null).items()).isEmpty();
        assertThat(repo.tags().list(100, new Tag("v2")).items()).isEmpty();
    }

    @Test
    public void tagsOfAnUnknownRepositoryAreNameUnknown() {
        assertCode(() -> registry.repository("never/pushed").tags().list(), ErrorCode.NAME_UNKNOWN);
    }

    @Test
    public void deletingATagKeepsTheManifest() throws Exception {
        byte[] manifest = pushImage(repo, false, 1);
        repo.manifests().put(Reference.parse("gone"), MediaTypes.OCI_MANIFEST, manifest);
        repo.tags().delete(new Tag("gone"));
        assertThat(repo.manifests().get(Reference.parse("gone"))).isEmpty();
        assertThat(repo.manifests().get(Reference.of(Digest.sha256(manifest)))).isPresent();
        assertCode(() -> repo.tags().delete(new Tag("gone")), ErrorCode.MANIFEST_UNKNOWN);
    }

    @Test
    public void deletingAManifestRemovesTheTagsPointingAtIt() throws Exception {
        byte[] manifest = pushImage(repo, false, 1);
        byte[] other = pushImage(repo, false, 1);
        repo.manifests().put(Reference.parse("a"), MediaTypes.OCI_MANIFEST, manifest);
        repo.manifests().put(Reference.parse("b"), MediaTypes.OCI_MANIFEST, manifest);
        repo.manifests().put(Reference.parse("c"), MediaTypes.OCI_MANIFEST, other);

        repo.manifests().delete(Digest.sha256(manifest));
        assertThat(repo.manifests().get(Reference.of(Digest.sha256(manifest)))).isEmpty();
        assertThat(repo.tags().list()).extracting(Tag::value).containsExactly("c");
        assertCode(() -> repo.manifests().delete(Digest.sha256(manifest)), ErrorCode.MANIFEST_UNKNOWN);
    }

    // ---------------------------------------------------------------- referrers

    @Test
    public void referrersAreListedFilteredAndForgottenOnDelete() throws Exception {
        byte[] image = pushImage(repo, false, 1);
        Digest subject = Digest.sha256(image);
        repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, image);
        push(repo, TestContent.EMPTY_JSON);
        Blob sig = push(repo, TestContent.text("signature"));
        Blob sbom = push(repo, TestContent.text("sbom"));
        byte[] sigManifest = utf8(TestContent.artifactManifest("application/vnd.dev.cosign.artifact.sig.v1+json", sig,
                subject, image.length, MediaTypes.OCI_MANIFEST));
        byte[] sbomManifest = utf8(TestContent.artifactManifest("application/spdx+json", sbom, subject, image.length,
                MediaTypes.OCI_MANIFEST));
        Manifests.PutResult put = repo.manifests().put(Reference.of(Digest.sha256(sigManifest)), MediaTypes.OCI_MANIFEST,
                sigManifest);
        assertThat(put.manifest().subject()).hasValueSatisfying(s -> assertThat(s.digest()).isEqualTo(subject));
        repo.manifests().put(Reference.of(Digest.sha256(sbomManifest)), MediaTypes.OCI_MANIFEST, sbomManifest);

        List<Descriptor> all = repo.referrers().list(subject, null);
        assertThat(all).extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(Digest.sha256(sigManifest), Digest.sha256(sbomManifest));
        Descriptor sbomEntry = all.stream().filter(d -> d.digest().equals(Digest.sha256(sbomManifest))).findFirst()
                .orElseThrow();
        assertThat(sbomEntry.artifactType()).isEqualTo("application/spdx+json");
        assertThat(sbomEntry.size()).isEqualTo(sbomManifest.length);
        assertThat(sbomEntry.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(sbomEntry.annotations()).containsKey("org.opencontainers.image.created");

        assertThat(repo.referrers().list(subject, "application/spdx+json")).extracting(Descriptor::digest)
                .containsExactly(Digest.sha256(sbomManifest));
        assertThat(repo.referrers().list(subject, "application/none")).isEmpty();

        repo.manifests().delete(Digest.sha256(sigManifest));
        assertThat(repo.referrers().list(subject, null)).extracting(Descriptor::digest)
                .containsExactly(Digest.sha256(sbomManifest));
    }

    @Test
    public void referrersMayBePushedBeforeTheirSubject() throws Exception {
        Digest absent = Digest.sha256(utf8("subject that is not here yet"));
        push(repo, TestContent.EMPTY_JSON);
        Blob sig = push(repo, TestContent.text("sig"));
        byte[] m = utf8(TestContent.artifactManifest("application/example", sig, absent, 123, MediaTypes.OCI_MANIFEST));
        repo.manifests().put(Reference.of(Digest.sha256(m)), MediaTypes.OCI_MANIFEST, m);
        assertThat(repo.referrers().list(absent, null)).hasSize(1);
        assertThat(repo.referrers().list(Digest.sha256(utf8("nothing refers to me")), null)).isEmpty();
    }

    // ---------------------------------------------------------------- catalog and layout

    @Test
    public void catalogListsRepositoriesWithManifestsSortedAndPaged() throws Exception {
        List<String> names = List.of("b", "a/b/c", "a", "a-b", "a/b", "z/y/x");
        for (String n : names) {
            Repository r = registry.repository(n);
            r.manifests().put(Reference.parse("t"), MediaTypes.OCI_MANIFEST, pushImage(r, false, 1));
        }
        push(registry.repository("blobs/only"), TestContent.text("no manifest"));
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertThat(registry.catalog()).extracting(RepositoryName::value).containsExactlyElementsOf(sorted);

        Page<RepositoryName> first = registry.catalog(2, (String) null);
        assertThat(first.items()).extracting(RepositoryName::value).containsExactlyElementsOf(sorted.subList(0, 2));
        Page<RepositoryName> rest = registry.catalog(10, first.next().orElseThrow());
        assertThat(rest.items()).extracting(RepositoryName::value).containsExactlyElementsOf(sorted.subList(2, 6));
        assertThat(rest.hasMore()).isFalse();
    }

    @Test
    public void storageLayoutIsDistributions() throws Exception {
        Blob layer = push(repo, TestContent.text("layer bytes"));
        byte[] manifest = pushImage(repo, false, 1);
        Digest md = Digest.sha256(manifest);
        repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest);

        String root = "/docker/registry/v2";
        String hex = layer.digest().hex();
        StorageDriver s = driver;
        assertThat(s.getContent(root + "/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data"))
                .isEqualTo(layer.bytes());
        assertThat(new String(s.getContent(root + "/repositories/library/test/_layers/sha256/" + hex + "/link"),
                StandardCharsets.US_ASCII)).isEqualTo(layer.digest().toString());
        assertThat(s.getContent(root + "/blobs/sha256/" + md.hex().substring(0, 2) + "/" + md.hex() + "/data"))
                .isEqualTo(manifest);
        assertThat(new String(s.getContent(root + "/repositories/library/test/_manifests/revisions/sha256/" + md.hex()
                + "/link"), StandardCharsets.US_ASCII)).isEqualTo(md.toString());
        assertThat(new String(s.getContent(root + "/repositories/library/test/_manifests/tags/v1/current/link"),
                StandardCharsets.US_ASCII)).isEqualTo(md.toString());
        assertThat(new String(s.getContent(root + "/repositories/library/test/_manifests/tags/v1/index/sha256/"
                + md.hex() + "/link"), StandardCharsets.US_ASCII)).isEqualTo(md.toString());
    }

    @Test
    public void aStoreWrittenByDistributionIsServedAsItIs() throws Exception {
        // Written path by path, as registry:2 leaves it (links without a trailing newline, a config and a layer).
        StorageDriver s = driver;
        String root = "/docker/registry/v2";
        Blob config = TestContent.text("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        Blob layer = TestContent.randomBlob(random, 4096);
        byte[] manifest = utf8(TestContent.imageManifest(true, config, List.of(layer)));
        Digest md = Digest.sha256(manifest);
        for (Blob b : List.of(config, layer, TestContent.blob(manifest))) {
            String hex = b.digest().hex();
            s.putContent(root + "/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data", b.bytes());
        }
        String repoDir = root + "/repositories/legacy/app";
        for (Blob b : List.of(config, layer)) {
            s.putContent(repoDir + "/_layers/sha256/" + b.digest().hex() + "/link", utf8(b.digest().toString()));
        }
        s.putContent(repoDir + "/_manifests/revisions/sha256/" + md.hex() + "/link", utf8(md.toString()));
        s.putContent(repoDir + "/_manifests/tags/1.0/current/link", utf8(md.toString()));
        s.putContent(repoDir + "/_manifests/tags/1.0/index/sha256/" + md.hex() + "/link", utf8(md.toString()));

        Repository legacy = registry.repository("legacy/app");
        StoredManifest stored = legacy.manifests().getOrThrow(Reference.parse("1.0"));
        assertThat(stored.bytes()).isEqualTo(manifest);
        assertThat(stored.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(Arrays.mismatch(readBlob(legacy, layer.digest()), layer.bytes())).as("first differing byte").isEqualTo(-1);
        assertThat(legacy.tags().list()).extracting(Tag::value).containsExactly("1.0");
        assertThat(registry.catalog()).extracting(RepositoryName::value).containsExactly("legacy/app");
    }

    // ---------------------------------------------------------------- helpers

    /** Uploads a blob to {@code r} in one request. */
    protected static Blob push(Repository r, Blob blob) throws IOException {
        r.uploads().put(blob.digest(), new ByteArrayInputStream(blob.bytes()));
        return blob;
    }

    /** Pushes a config and {@code layers} random layers to {@code r}; returns the manifest's bytes (not pushed). */
    protected byte[] pushImage(Repository r, boolean docker, int layers) throws IOException {
        Blob config = push(r, TestContent.text("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + random.nextLong()
                + "}"));
        List<Blob> ls = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            ls.add(push(r, TestContent.randomBlob(random, 1000 + random.nextInt(5000))));
        }
        return utf8(TestContent.imageManifest(docker, config, ls));
    }

    protected static byte[] readBlob(Repository r, Digest digest) throws IOException {
        try (InputStream in = r.blobs().open(digest, 0)) {
            return in.readAllBytes();
        }
    }

    protected static InputStream slice(Blob blob, long offset, int length) {
        return new ByteArrayInputStream(blob.bytes(), (int) offset, length);
    }

    protected long walkCount(String path) throws IOException {
        long[] count = {0};
        try {
            driver.walk(path, f -> count[0]++);
        } catch (PathNotFoundException e) {
            return 0;
        }
        return count[0];
    }

    protected static RegistryException assertCode(ThrowingCallable call, ErrorCode code) {
        try {
            call.call();
        } catch (RegistryException e) {
            assertThat(e.code()).as("error code of: %s", e.getMessage()).isEqualTo(code);
            assertThat(e.detail()).isNotBlank();
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected " + code + " but got " + e, e);
        }
        throw new AssertionError("expected " + code + " but the call succeeded");
    }

    /** Like AssertJ's, but returning what it caught. */
    @FunctionalInterface
    protected interface ThrowingCallable extends Callable<Object> {
        @Override
        default Object call() throws Exception {
            run();
            return null;
        }

        void run() throws Exception;
    }

    /** A client that goes away after {@code limit} bytes. */
    protected static final class FailingStream extends InputStream {
        private final InputStream in;
        private long left;

        public FailingStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left-- <= 0) {
                throw new IOException("connection reset by peer (simulated)");
            }
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("connection reset by peer (simulated)");
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
