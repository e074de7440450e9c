package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Registry#deleteRepository} over the in-memory driver, with the in-memory cache in front. */
class DeleteRepositoryTest {
    final InMemoryStorageDriver driver = new InMemoryStorageDriver();
    final Registry registry = Registry.builder().storage(driver).cache("inmemory", Map.of()).build();

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    List<String> objects(String under) throws Exception {
        List<String> out = new ArrayList<>();
        try {
            driver.walk(under, f -> out.add(f.path()));
        } catch (PathNotFoundException none) {
            // nothing there
        }
        return out;
    }

    @Test
    void deletesTheRepositoryButNotNestedOnesNorBlobData() throws Exception {
        Repository a = registry.repository("a");
        Repository ab = registry.repository("a/b");
        Digest one = push(a, "v1", "one", "latest");
        push(a, "v2", "two");
        Digest nested = push(ab, "v1", "nested");
        a.uploads().start(); // an upload in progress goes too
        List<String> blobsBefore = objects(Layout.BLOBS);

        RepositoryDeletion deleted = registry.deleteRepository("a");

        assertThat(deleted.repository()).isEqualTo(RepositoryName.parse("a"));
        assertThat(deleted.tags()).extracting(Tag::value).containsExactly("latest", "v1", "v2");
        assertThat(deleted.manifests()).hasSize(2).contains(one);
        assertThat(deleted.blobs()).hasSize(4);
        assertThat(deleted.uploads()).isEqualTo(1);
        for (String dir : Layout.REPOSITORY_DIRS) {
            assertThat(objects(Layout.repositoryDir(RepositoryName.parse("a"), dir))).as(dir).isEmpty();
        }
        assertThat(objects(Layout.BLOBS)).containsExactlyInAnyOrderElementsOf(blobsBefore);
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("a/b"));
        assertThat(a.exists()).isFalse();
        // the folder still holds a/b, yet a is no repository: tags/list is NAME_UNKNOWN, as for any unknown name
        assertThatThrownBy(() -> a.tags().list()).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN));
        assertThat(a.manifests().get(Reference.parse("v1"))).isEmpty();
        assertThat(a.manifests().get(Reference.of(one))).isEmpty();
        assertThat(ab.manifests().get(Reference.parse("v1")).map(StoredManifest::digest)).contains(nested);
        assertThat(TestImages.tagNames(ab)).containsExactly("v1");
    }

    @Test
    void theCacheForgetsTheRepositorysTagsAndBlobLinks() {
        Repository a = registry.repository("a");
        Digest one = push(a, "v1", "one");
        Digest layer = a.manifests().get(Reference.of(one)).map(m -> Manifest.parse(m.bytes(), m.mediaType())).orElseThrow()
                .references().get(1).digest();
        // fill the cache
        assertThat(a.manifests().resolve(Reference.parse("v1"))).contains(one);
        assertThat(a.manifests().resolve(Reference.parse("v1"))).contains(one);
        assertThat(a.blobs().stat(layer)).isPresent();
        assertThat(a.blobs().stat(layer)).isPresent();
        assertThat(registry.cacheStats().hits()).isPositive();

        registry.deleteRepository("a");

        assertThat(a.manifests().resolve(Reference.parse("v1"))).isEmpty();
        assertThat(a.blobs().stat(layer)).isEmpty();
    }

    @Test
    void aDeletedRepositoryCanBePushedAgain() {
        Repository a = registry.repository("a");
        push(a, "v1", "one");
        registry.deleteRepository("a");
        Digest again = push(a, "v2", "two");
        assertThat(TestImages.tagNames(a)).containsExactly("v2");
        assertThat(a.manifests().resolve(Reference.parse("v2"))).contains(again);
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("a"));
    }

    @Test
    void anUnknownRepositoryIsNameUnknownEvenWhenItsFolderHoldsNestedOnes() {
        push(registry.repository("a/b"), "v1", "nested");
        for (String name : List.of("nosuch", "a")) {
            assertThatThrownBy(() -> registry.deleteRepository(name)).isInstanceOfSatisfying(RegistryException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN);
                        assertThat(e.detail()).contains("repository " + name + " is not known");
                    });
        }
        assertThatThrownBy(() -> registry.repository("a").tags().list())
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN));
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("a/b"));
        assertThatThrownBy(() -> registry.deleteRepository("Bad Name")).isInstanceOfSatisfying(
                RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
    }

    @Test
    void aRepositoryWithOnlyAnUploadExistsAndCanBeDeleted() {
        Repository u = registry.repository("uploads/only");
        u.uploads().start();
        assertThat(u.exists()).isTrue();
        assertThat(u.tags().list()).isEmpty();
        assertThat(registry.deleteRepository("uploads/only").uploads()).isEqualTo(1);
        assertThat(u.exists()).isFalse();
    }

    @Test
    void isUnsupportedWhenDeletesAreDisabledAndDeletesNothing() throws Exception {
        try (Registry readOnlyDeletes = Registry.builder().storage(driver).deletesEnabled(false).build()) {
            Repository a = readOnlyDeletes.repository("a");
            push(a, "v1", "one");
            assertThatThrownBy(() -> readOnlyDeletes.deleteRepository("a"))
                    .isInstanceOfSatisfying(RegistryException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
            assertThatThrownBy(() -> readOnlyDeletes.deleteRepository("nosuch"))
                    .isInstanceOfSatisfying(RegistryException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
            assertThat(TestImages.tagNames(a)).containsExactly("v1");
        }
    }

    @Test
    void aRepositoryWhoseImmutableTagsAreElsewhereIsDeleted() throws Exception {
        try (Registry guarded = Registry.builder().storage(driver)
                .immutableTags(ImmutableTags.of(new ImmutableTags.Rule(List.of("prod/**"), List.of("v*")))).build()) {
            push(guarded.repository("dev/a"), "v1", "one");
            push(guarded.repository("prod/a"), "latest", "two");
            guarded.deleteRepository("dev/a");
            guarded.deleteRepository("prod/a"); // no immutable tag in it
            assertThat(guarded.catalog()).isEmpty();
            FileInfo root = driver.stat("/");
            assertThat(root.isDirectory()).isTrue();
        }
    }
}
