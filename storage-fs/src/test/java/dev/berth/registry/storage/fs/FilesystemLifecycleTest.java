package dev.berth.registry.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.RepositoryDeletion;
import dev.berth.registry.Retention;
import dev.berth.registry.RetentionPolicy;
import dev.berth.registry.RetentionReport;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repository delete and retention over the filesystem driver: what is left on disk, and push times read from the
 * tags' link files (set here by hand).
 */
class FilesystemLifecycleTest {
    static final Instant NOON = Instant.parse("2026-02-01T12:00:00Z");

    @TempDir
    Path root;
    Registry registry;

    @BeforeEach
    void open() {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
    }

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    Path repositories() {
        return root.resolve("docker/registry/v2/repositories");
    }

    Digest push(String repository, String tag, int minute) throws Exception {
        Repository repo = registry.repository(repository);
        String seed = repository + ":" + tag;
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("the layer of " + seed).getBytes(StandardCharsets.UTF_8);
        repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
        repo.uploads().put(Digest.sha256(layer), new ByteArrayInputStream(layer));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest d = repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest).digest();
        Files.setLastModifiedTime(repositories().resolve(repository + "/_manifests/tags/" + tag + "/current/link"),
                FileTime.from(NOON.plusSeconds(60L * minute)));
        return d;
    }

    @Test
    void deletingARepositoryRemovesItsFoldersKeepsNestedOnesAndBlobData() throws Exception {
        push("a", "v1", 1);
        push("a/b", "v1", 2);
        registry.repository("a").uploads().start();
        long blobFiles;
        try (Stream<Path> s = Files.walk(root.resolve("docker/registry/v2/blobs"))) {
            blobFiles = s.filter(Files::isRegularFile).count();
        }

        RepositoryDeletion d = registry.deleteRepository("a");

        assertThat(d.uploads()).isEqualTo(1);
        try (Stream<Path> children = Files.list(repositories().resolve("a"))) {
            assertThat(children.map(p -> p.getFileName().toString())).containsExactly("b");
        }
        try (Stream<Path> s = Files.walk(root.resolve("docker/registry/v2/blobs"))) {
            assertThat(s.filter(Files::isRegularFile).count()).isEqualTo(blobFiles);
        }
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("a/b"));
        assertThatThrownBy(() -> registry.repository("a").tags().list()).isInstanceOfSatisfying(
                RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN));

        registry.deleteRepository("a/b");
        assertThat(Files.exists(repositories().resolve("a"))).as("empty folders are pruned").isFalse();
        assertThat(registry.catalog()).isEmpty();
    }

    @Test
    void retentionReadsPushTimesFromTheLinkFiles() throws Exception {
        // pushed in one order, dated in another: the file times decide
        push("ci/app", "newest", 30);
        push("ci/app", "oldest", 1);
        push("ci/app", "middle", 10);
        Retention retention = Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 2, List.of())));

        RetentionReport report = retention.apply(registry);

        RetentionReport.RepositoryReport app = report.repositories().get(0);
        assertThat(app.kept()).extracting(e -> e.tag().value()).containsExactly("newest", "middle");
        assertThat(app.deleted()).singleElement().satisfies(e -> {
            assertThat(e.tag()).isEqualTo(Tag.parse("oldest"));
            assertThat(e.pushed()).isEqualTo(NOON.plusSeconds(60));
        });
        assertThat(registry.repository("ci/app").tags().list()).extracting(Tag::value)
                .containsExactly("middle", "newest");
        assertThat(Files.exists(repositories().resolve("ci/app/_manifests/tags/oldest"))).isFalse();
    }
}
