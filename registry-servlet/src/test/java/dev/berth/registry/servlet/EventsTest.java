package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the registry's events say of the requests the servlet serves, over real HTTP in Jetty 12. */
class EventsTest {
    final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    Registry registry;
    JettyRegistry http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    JettyRegistry serve(EventListener listener) throws Exception {
        registry = Registry.builder().events(listener).build();
        http = new JettyRegistry(registry, "/r", ServletOptions.DEFAULTS);
        return http;
    }

    static final byte[] CONFIG = "{}".getBytes(StandardCharsets.UTF_8);
    static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
            + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(CONFIG)
            + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);

    void pushImage(String repo, String reference) throws Exception {
        assertThat(http.send(http.request("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(CONFIG))
                .POST(BodyPublishers.ofByteArray(CONFIG)).build()).statusCode()).isEqualTo(201);
        assertThat(http.send(http.request("/v2/" + repo + "/manifests/" + reference).header("Content-Type",
                MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(MANIFEST)).build()).statusCode())
                .isEqualTo(201);
    }

    @Test
    void ocisTagParameterGivesOnePushEventPerTagAndADigestPushOneWithout() throws Exception {
        serve(events::add);
        Digest digest = Digest.sha256(MANIFEST);
        pushImage("app", digest + "?tag=a&tag=b");
        pushImage("app", digest.toString());
        assertThat(events).extracting(e -> e.action().wireName() + " " + e.target().tag())
                .containsExactly("push null", "push a", "push b", "push null", "push null");
        assertThat(events.get(1).target().digest()).isEqualTo(digest);
        assertThat(events.get(1).request().id()).as("one request, one id").isEqualTo(events.get(2).request().id());
        assertThat(events.get(1).id()).isNotEqualTo(events.get(2).id());
    }

    @Test
    void aWholeRepositoryDeleteIsADeleteOfTheRepository() throws Exception {
        serve(events::add);
        pushImage("team/app", "1.0");
        events.clear();
        assertThat(http.send(http.request("/v2/_berth/repositories/team/app").DELETE().build()).statusCode())
                .isEqualTo(202);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(RegistryEvent.Action.DELETE);
            assertThat(e.target().repository()).isEqualTo("team/app");
            assertThat(e.target().digest()).isNull();
            assertThat(e.target().tag()).isNull();
        });
    }

    @Test
    void aListenerThatFailsDoesNotFailTheRequest() throws Exception {
        serve(event -> {
            throw new IllegalStateException("listener broken");
        });
        pushImage("app", "1.0");
        assertThat(http.send(http.request("/v2/app/manifests/1.0").GET().build()).statusCode()).isEqualTo(200);
    }

    @Test
    void headRequestsAndFailuresAreNoEventsAndTheClientAddressFallsBack() throws Exception {
        serve(events::add);
        pushImage("app", "1.0");
        events.clear();
        assertThat(http.head("/v2/app/manifests/1.0")).containsEntry(":status", "200");
        assertThat(http.send(http.request("/v2/app/manifests/2.0").GET().build()).statusCode()).isEqualTo(404);
        assertThat(http.send(http.request("/v2/app/blobs/" + Digest.sha256(new byte[1])).GET().build())
                .statusCode()).isEqualTo(404);
        assertThat(http.send(http.request("/v2/app/manifests/1.0").header("Accept", MediaTypes.DOCKER_MANIFEST).GET()
                .build()).statusCode()).as("a type the client does not accept").isEqualTo(404);
        assertThat(events).isEmpty();

        assertThat(http.send(http.request("/v2/app/manifests/1.0").header("X-Real-IP", "198.51.100.9").GET().build())
                .statusCode()).isEqualTo(200);
        assertThat(http.send(http.request("/v2/app/manifests/1.0").GET().build()).statusCode()).isEqualTo(200);
        assertThat(events).hasSize(2);
        assertThat(events.get(0).request().addr()).isEqualTo("198.51.100.9");
        assertThat(events.get(1).request().addr()).startsWith("127.0.0.1:");
        assertThat(events.get(1).target().url()).isEqualTo(http.base() + "/v2/app/manifests/"
                + events.get(1).target().digest());
        assertThat(events.get(1).target().references()).as("the listener did not ask for references").isEmpty();
        assertThat(events.get(1).source()).isEqualTo(RegistryEvent.Source.NONE);
    }
}
