package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.proxy.Upstream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** containerd's {@code ns=} hint, which the servlet resolves against the registry's upstream prefixes. */
class RouteNamespaceTest {
    static final List<Upstream> UPSTREAMS = List.of(Upstream.of("https://registry-1.docker.io").withPrefix("docker.io"));

    @Test
    void theHintPrefixesTheNameWhenAnUpstreamServesIt() {
        Route route = Route.parse("/v2/library/alpine/manifests/3");
        Route hinted = route.namespaced("docker.io", UPSTREAMS);
        assertThat(hinted.name().value()).isEqualTo("docker.io/library/alpine");
        assertThat(hinted.kind()).isEqualTo(Route.Kind.MANIFEST);
        assertThat(hinted.argument()).isEqualTo("3");
    }

    @Test
    void otherwiseTheRouteStaysAsItIs() {
        Route route = Route.parse("/v2/library/alpine/manifests/3");
        assertThat(route.namespaced(null, UPSTREAMS)).isSameAs(route);
        assertThat(route.namespaced("", UPSTREAMS)).isSameAs(route);
        assertThat(route.namespaced("quay.io", UPSTREAMS)).as("no upstream for that prefix").isSameAs(route);
        Route already = Route.parse("/v2/docker.io/library/alpine/manifests/3");
        assertThat(already.namespaced("docker.io", UPSTREAMS)).isSameAs(already);
        Route catalog = Route.parse("/v2/_catalog");
        assertThat(catalog.namespaced("docker.io", UPSTREAMS)).isSameAs(catalog);
    }
}
