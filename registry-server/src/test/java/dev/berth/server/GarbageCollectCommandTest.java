package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.testkit.TestContent.Blob;
import dev.berth.registry.testkit.TestContent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code registry-server garbage-collect config.yml ...} over a filesystem store, as an operator runs it. */
class GarbageCollectCommandTest {
    @TempDir
    Path dir;
    Path config;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    Blob orphan;
    Digest untagged;
    Digest kept;

    @BeforeEach
    void store() throws Exception {
        Path root = dir.resolve("store");
        config = Files.writeString(dir.resolve("config.yml"), "version: 0.1\nlog: {level: warn}\nstorage:\n"
                + "  filesystem: {rootdirectory: " + root + "}\n");
        try (Registry registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .build()) {
            var repo = registry.repository("app");
            Blob config = upload(repo, TestContent.text("config-1"));
            Blob layer = upload(repo, TestContent.text("layer-1"));
            byte[] first = TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer)));
            untagged = repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, first).digest();
            Blob layer2 = upload(repo, TestContent.text("layer-2"));
            byte[] second = TestContent.utf8(TestContent.imageManifest(false, config, List.of(layer2)));
            kept = repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, second).digest();
            orphan = upload(repo, TestContent.text("nobody references me"));
        }
    }

    private static Blob upload(Repository repo, Blob blob) throws Exception {
        repo.uploads().put(blob.digest(), new ByteArrayInputStream(blob.bytes()));
        return blob;
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private boolean blobThere(Digest d) {
        return Files.exists(dir.resolve("store/docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2) + "/"
                + d.hex() + "/data"));
    }

    @Test
    void aDryRunPrintsWhatWouldGoAndDeletesNothing() {
        assertThat(run("garbage-collect", config.toString(), "--dry-run", "--delete-untagged")).isZero();
        assertThat(stdout()).contains("would delete manifest app@" + untagged, "would delete blob " + orphan.digest()
                + " (20 B)", "would delete 1 manifests and 3 blobs");
        assertThat(blobThere(orphan.digest())).isTrue();
        assertThat(blobThere(untagged)).isTrue();
    }

    @Test
    void withoutDeleteUntaggedOnlyUnreferencedBlobsGo() {
        assertThat(run("garbage-collect", config.toString())).isZero();
        assertThat(stdout()).contains("deleted blob " + orphan.digest(), "deleted 0 manifests and 1 blobs (20 B)",
                "; 20 bytes").doesNotContain("manifest app@");
        assertThat(blobThere(orphan.digest())).isFalse();
        assertThat(blobThere(untagged)).isTrue();
    }

    @Test
    void deleteUntaggedAlsoRemovesTheManifestTheTagLeftAndWhatOnlyItUsed() throws Exception {
        assertThat(run("garbage-collect", config.toString(), "--delete-untagged")).isZero();
        assertThat(stdout()).contains("deleted manifest app@" + untagged, "deleted 1 manifests and 3 blobs");
        assertThat(blobThere(untagged)).isFalse();
        assertThat(blobThere(kept)).isTrue();
        assertThat(blobThere(TestContent.text("config-1").digest())).as("shared config").isTrue();
        assertThat(blobThere(TestContent.text("layer-1").digest())).isFalse();
    }

    @Test
    void aGcDelayKeepsWhatWasJustPushed() {
        assertThat(run("garbage-collect", config.toString(), "--delete-untagged", "--gc-delay", "1h")).isZero();
        assertThat(stdout()).contains("deleted 0 manifests and 0 blobs");
        assertThat(blobThere(orphan.digest())).isTrue();
    }

    @Test
    void badFlagValuesAreRefusedNamingTheFlag() {
        assertThat(run("garbage-collect", config.toString(), "--gc-delay", "soon")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--gc-delay", "not a duration");
        assertThat(run("garbage-collect", config.toString(), "--parallelism", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--parallelism");
        assertThat(blobThere(orphan.digest())).isTrue();
    }
}
