package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryRouteTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/v2, BASE",
        "/v2/, BASE",
        "/v2/_catalog, CATALOG",
        "/v2/library/alpine/tags/list, TAGS",
        "/v2/a/manifests/latest, MANIFEST",
        "/v2/a/b/c/manifests/sha256:abc, MANIFEST",
        "/v2/a/blobs/sha256:abc, BLOB",
        "/v2/a/b/blobs/uploads, UPLOAD_START",
        "/v2/a/b/blobs/uploads/, UPLOAD_START",
        "/v2/a/b/blobs/uploads/0f3c-uuid, UPLOAD",
        "/v2/a/referrers/sha256:abc, REFERRERS",
        "/v2/_berth/repositories/a/b, ADMIN",
        "/v2/_berth/repositories/a/manifests/x, ADMIN",
        // Names that contain the endpoints' words: the end of the path decides.
        "/v2/manifests/manifests/x, MANIFEST",
        "/v2/blobs/uploads/blobs/sha256:abc, BLOB",
        "/v2/x/blobs/uploads/manifests/v1, MANIFEST",
        "/v2/tags/list/tags/list, TAGS",
        "/v2/a/manifests/x/blobs/uploads/, UPLOAD_START",
        // Not the API, or without a name.
        "/, OTHER",
        "/v1/, OTHER",
        "/favicon.ico, OTHER",
        "/v2/tags/list, OTHER",
        "/v2/manifests/latest, OTHER",
        "/v2/blobs/sha256:abc, OTHER",
        "/v2/blobs/uploads/, OTHER",
        "/v2/a/manifests/, OTHER",
        "/v2/a/blobs/, OTHER",
        "/v2/a/blobs/uploads/id/extra, OTHER",
        "/v2/a/b, OTHER",
        "/v2x, OTHER",
    })
    void classifiesFromTheEndOfThePath(String path, RegistryRoute expected) {
        assertThat(RegistryRoute.classify(path)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"UPLOAD_START, upload_start", "BASE, base", "OTHER, other"})
    void tagsAreLowerCase(RegistryRoute route, String tag) {
        assertThat(route.tag()).isEqualTo(tag);
    }
}
