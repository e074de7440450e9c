package dev.berth.registry.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.spi.storage.InvalidPathException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoragePathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "/docker/registry/v2/blobs/sha256/ab/abcd/data", "/a.b_c-d/.hidden",
            "/a/..b", "/a/b..", "/..."})
    void acceptsAbsolutePathsOfSafeComponents(String path) {
        assertThat(StoragePaths.isValid(path)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a/b", "/a/", "//a", "/a//b", "/.", "/..", "/a/../b", "/a/./b", "/../etc/passwd",
            "/a b", "/a%2e", "/a\\b", "/a\u0000b", "/é", "/a:b", "/a*"})
    void rejectsRelativeEmptyDotAndOddPaths(String path) {
        assertThat(StoragePaths.isValid(path)).isFalse();
        assertThatThrownBy(() -> StoragePaths.check(path)).isInstanceOf(InvalidPathException.class)
                .hasMessageContaining("invalid storage path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a/b/c"})
    void splitsAndJoinsPaths(String path) {
        assertThat(StoragePaths.parent(path)).isEqualTo("/a/b");
        assertThat(StoragePaths.parent("/a")).isEqualTo("/");
        assertThat(StoragePaths.name(path)).isEqualTo("c");
        assertThat(StoragePaths.join("/", "x")).isEqualTo("/x");
        assertThat(StoragePaths.join("/a", "x")).isEqualTo("/a/x");
    }

    @org.junit.jupiter.api.Test
    void rejectsOverlongPaths() {
        assertThat(StoragePaths.isValid("/" + "a".repeat(StoragePaths.MAX_LENGTH))).isFalse();
    }
}
