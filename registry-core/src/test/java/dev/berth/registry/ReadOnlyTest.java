package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A read-only registry refuses every write with UNSUPPORTED before touching storage, and serves every read. */
class ReadOnlyTest {
    static final byte[] CONFIG = "{}".getBytes(StandardCharsets.UTF_8);
    static final byte[] LAYER = "layer bytes".getBytes(StandardCharsets.UTF_8);

    final StorageDriver storage = new InMemoryStorageDriver();
    final Registry writable = Registry.builder().storage(storage).build();
    /** A minute ahead, so that the upload started here is older than a purge's cutoff of "now". */
    final Registry readOnly = Registry.builder().storage(storage).readOnly(true)
            .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1))).build();
    final Repository repo;
    final byte[] manifest;
    final Digest manifestDigest;
    final String uploadId;

    ReadOnlyTest() throws IOException {
        Repository w = writable.repository("lib/app");
        w.uploads().put(Digest.sha256(CONFIG), new ByteArrayInputStream(CONFIG));
        w.uploads().put(Digest.sha256(LAYER), new ByteArrayInputStream(LAYER));
        manifest = manifest(CONFIG, LAYER);
        manifestDigest = w.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest).digest();
        uploadId = w.uploads().start().id();
        w.uploads().append(uploadId, new ByteArrayInputStream(new byte[] {1, 2, 3}));
        repo = readOnly.repository("lib/app");
    }

    static byte[] manifest(byte[] config, byte[] layer) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + Digest.sha256(layer)
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    /** Every object in storage with its content. */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> all = new TreeMap<>();
        storage.walk("/", f -> all.put(f.path(), new String(storage.getContent(f.path()), StandardCharsets.ISO_8859_1)
                + "@" + f.modTime()));
        return all;
    }

    interface Write {
        void run(ReadOnlyTest t) throws Exception;
    }

    static Stream<Arguments> writes() {
        byte[] other = "another blob".getBytes(StandardCharsets.UTF_8);
        return Stream.<Object[]>of(
                new Object[] {"upload start", (Write) t -> t.repo.uploads().start()},
                new Object[] {"upload append", (Write) t -> t.repo.uploads().append(t.uploadId, stream(other))},
                new Object[] {"upload append at offset", (Write) t -> t.repo.uploads().append(t.uploadId, 3,
                        stream(other))},
                new Object[] {"upload commit", (Write) t -> t.repo.uploads().commit(t.uploadId,
                        Digest.sha256(new byte[] {1, 2, 3}), null)},
                new Object[] {"one-shot put", (Write) t -> t.repo.uploads().put(Digest.sha256(other), stream(other))},
                new Object[] {"upload cancel", (Write) t -> t.repo.uploads().cancel(t.uploadId)},
                new Object[] {"cross-repository mount", (Write) t -> t.readOnly.repository("other").blobs()
                        .mount(Digest.sha256(LAYER), RepositoryName.parse("lib/app"))},
                new Object[] {"manifest put", (Write) t -> t.repo.manifests().put(Reference.parse("v2"),
                        MediaTypes.OCI_MANIFEST, t.manifest)},
                new Object[] {"manifest delete", (Write) t -> t.repo.manifests().delete(t.manifestDigest)},
                new Object[] {"tag delete", (Write) t -> t.repo.tags().delete(new Tag("v1"))},
                new Object[] {"blob link delete", (Write) t -> t.repo.blobs().delete(Digest.sha256(LAYER))},
                new Object[] {"upload purge", (Write) t -> t.readOnly.purgeUploads(Duration.ZERO, false)})
                .map(a -> Arguments.of(a));
    }

    static InputStream stream(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void refusesEveryWriteWithUnsupportedAndLeavesStorageAsItWas(String what, Write write) throws IOException {
        Map<String, String> before = snapshot();
        ThrowingCallable call = () -> write.run(this);
        assertThatThrownBy(call).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED);
            assertThat(e.detail()).contains("read-only");
        });
        assertThat(snapshot()).as("storage after a refused " + what).isEqualTo(before);
    }

    @Test
    void servesEveryRead() throws IOException {
        assertThat(readOnly.readOnly()).isTrue();
        assertThat(writable.readOnly()).isFalse();
        assertThat(readOnly.catalog()).containsExactly(RepositoryName.parse("lib/app"));
        assertThat(repo.tags().list()).containsExactly(new Tag("v1"));
        assertThat(repo.manifests().get(Reference.parse("v1")).orElseThrow().bytes()).isEqualTo(manifest);
        assertThat(repo.blobs().stat(Digest.sha256(LAYER))).map(Descriptor::size).contains((long) LAYER.length);
        try (InputStream in = repo.blobs().open(Digest.sha256(LAYER), 0)) {
            assertThat(in.readAllBytes()).isEqualTo(LAYER);
        }
        assertThat(repo.uploads().status(uploadId).offset()).isEqualTo(3);
        assertThat(repo.referrers().list(manifestDigest, null)).isEmpty();
        readOnly.checkStorage();
    }

    @Test
    void aDryRunPurgeIsAReadAndWorks() throws IOException {
        Map<String, String> before = snapshot();
        UploadPurgeReport report = readOnly.purgeUploads(Duration.ZERO, true);
        assertThat(report.purged()).extracting(UploadPurgeReport.PurgedUpload::id).containsExactly(uploadId);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theSameStorageStaysWritableThroughAWritableRegistry() throws IOException {
        writable.repository("lib/app").uploads().cancel(uploadId);
        assertThatThrownBy(() -> repo.uploads().status(uploadId)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }
}
