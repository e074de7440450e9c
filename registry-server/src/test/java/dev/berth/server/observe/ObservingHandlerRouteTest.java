package dev.berth.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.servlet.RegistryRoute;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The route of a request's path relative to the registry's context path, as the observing handler labels it. */
class ObservingHandlerRouteTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "/registry, /registry/v2/, BASE",
        "/registry, /registry/v2/a/blobs/sha256:abc, BLOB",
        "/registry, /v2/, OTHER",
        "/registry, /registryx/v2/, OTHER",
        "/, /v2/_catalog, CATALOG",
    })
    void classifiesRelativeToTheContext(String context, String path, RegistryRoute expected) {
        assertThat(ObservingHandler.route(context, path)).isEqualTo(expected);
    }
}
