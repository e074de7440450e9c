package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.repository.Repository;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Immutable tags in the core, over the in-memory driver: what is refused, with which error, and that nothing moved. */
class ImmutableTagsTest {
    final Registry registry = Registry.builder()
            .immutableTags(ImmutableTags.of(new ImmutableTags.Rule(List.of("prod/**"), List.of("v*", "release-?"))))
            .build();
    final Repository prod = registry.repository("prod/app");

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    @Test
    void rulesMatchRepositoryAndTagGlobs() {
        ImmutableTags rules = ImmutableTags.of(new ImmutableTags.Rule(List.of("prod/**", "x/*"), List.of("v*")));
        assertThat(rules.isImmutable(RepositoryName.parse("prod"), Tag.parse("v1"))).isTrue();
        assertThat(rules.isImmutable(RepositoryName.parse("prod/a/b"), Tag.parse("v1.2"))).isTrue();
        assertThat(rules.isImmutable(RepositoryName.parse("x/a"), Tag.parse("v1"))).isTrue();
        assertThat(rules.isImmutable(RepositoryName.parse("x/a/b"), Tag.parse("v1"))).isFalse();
        assertThat(rules.isImmutable(RepositoryName.parse("prod/a"), Tag.parse("latest"))).isFalse();
        assertThat(rules.isImmutable(RepositoryName.parse("production"), Tag.parse("v1"))).isFalse();
        assertThat(ImmutableTags.NONE.isImmutable(RepositoryName.parse("prod"), Tag.parse("v1"))).isFalse();
        assertThatThrownBy(() -> new ImmutableTags.Rule(List.of(), List.of("v*")))
                .hasMessageContaining("repositories");
        assertThatThrownBy(() -> new ImmutableTags.Rule(List.of("a"), List.of("")))
                .hasMessageContaining("tags: an empty pattern");
    }

    @Test
    void movingAnImmutableTagIsDeniedAndWritesNothing() {
        Digest v1 = push(prod, "v1", "one");
        byte[] other = TestImages.manifest(prod, "two");
        Digest otherDigest = Digest.sha256(other);
        assertThatThrownBy(() -> prod.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, other))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
                    assertThat(e.detail()).startsWith("tag v1 is immutable in repository prod/app")
                            .contains(v1.toString(), otherDigest.toString());
                });
        assertThat(prod.tags().get(Tag.parse("v1"))).contains(v1);
        assertThat(prod.manifests().get(Reference.of(otherDigest))).isEmpty();
    }

    @Test
    void pushingTheSameDigestAgainIsFine() {
        Digest v1 = push(prod, "v1", "one");
        assertThat(push(prod, "v1", "one")).isEqualTo(v1);
        assertThat(prod.tags().get(Tag.parse("v1"))).contains(v1);
    }

    @Test
    void tagsOutsideTheRulesMoveAsUsual() {
        push(prod, "latest", "one");
        Digest two = push(prod, "latest", "two");
        assertThat(prod.tags().get(Tag.parse("latest"))).contains(two);
        Repository dev = registry.repository("dev/app");
        push(dev, "v1", "one");
        Digest moved = push(dev, "v1", "two");
        assertThat(dev.tags().get(Tag.parse("v1"))).contains(moved);
        dev.tags().delete(Tag.parse("v1"));
    }

    @Test
    void extraTagsOfAPutObeyTheRulesAndNothingIsWrittenWhenOneIsRefused() {
        Digest v1 = push(prod, "v1", "one");
        byte[] other = TestImages.manifest(prod, "two");
        Digest otherDigest = Digest.sha256(other);
        assertThatThrownBy(() -> prod.manifests().put(Reference.parse("latest"), MediaTypes.OCI_MANIFEST, other,
                List.of(Tag.parse("stable"), Tag.parse("v1"))))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DENIED));
        assertThat(prod.tags().get(Tag.parse("latest"))).isEmpty();
        assertThat(prod.tags().get(Tag.parse("stable"))).isEmpty();
        assertThat(prod.tags().get(Tag.parse("v1"))).contains(v1);
        assertThat(prod.manifests().get(Reference.of(otherDigest))).isEmpty();
        // by digest with ?tag= too
        assertThatThrownBy(() -> prod.manifests().put(Reference.of(otherDigest), MediaTypes.OCI_MANIFEST, other,
                List.of(Tag.parse("release-1"), Tag.parse("v1"))))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DENIED));
        assertThat(prod.tags().get(Tag.parse("release-1"))).isEmpty();
    }

    @Test
    void deletingAnImmutableTagOrTheManifestItPointsAtIsDenied() {
        Digest v1 = push(prod, "v1", "one", "latest");
        assertThatThrownBy(() -> prod.tags().delete(Tag.parse("v1")))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
                    assertThat(e.detail()).contains("tag v1 is immutable in repository prod/app");
                });
        assertThatThrownBy(() -> prod.manifests().delete(v1))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
                    assertThat(e.detail()).contains("deleting manifest " + v1);
                });
        // nothing went: neither the mutable tag on the same manifest nor the manifest
        assertThat(TestImages.tagNames(prod)).containsExactly("latest", "v1");
        assertThat(prod.manifests().get(Reference.of(v1))).isPresent();
        // a missing immutable tag is still MANIFEST_UNKNOWN
        assertThatThrownBy(() -> prod.tags().delete(Tag.parse("v9")))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));
    }

    @Test
    void aManifestNoImmutableTagPointsAtCanBeDeleted() {
        push(prod, "v1", "one");
        Digest two = push(prod, "latest", "two");
        prod.manifests().delete(two);
        assertThat(TestImages.tagNames(prod)).containsExactly("v1");
    }

    @Test
    void aRepositoryHoldingAnImmutableTagCannotBeDeleted() {
        push(prod, "v1", "one");
        assertThatThrownBy(() -> registry.deleteRepository("prod/app"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
                    assertThat(e.detail()).contains("tag v1 is immutable in repository prod/app");
                });
        assertThat(TestImages.tagNames(prod)).containsExactly("v1");
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("prod/app"));
    }
}
