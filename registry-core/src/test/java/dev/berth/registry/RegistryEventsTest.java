package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.RegistryException;
import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent.Action;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry raises its events itself, whoever calls it: an embedder using the API directly, and the lifecycle
 * operations (repository deletion, retention, garbage collection), not only the servlet.
 */
class RegistryEventsTest {
    final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    Registry registry = Registry.builder().events(events::add).build();

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    static String line(RegistryEvent e) {
        RegistryEvent.Target t = e.target();
        return e.action().wireName() + " " + t.repository() + " " + (t.digest() == null ? "-" : t.digest())
                + (t.tag() == null ? "" : " " + t.tag()) + (t.fromRepository() == null ? "" : " from "
                + t.fromRepository());
    }

    @Test
    void readsThroughAnInspectedRepositoryAreNoPullsButItsChangesAreReported() throws Exception {
        Repository repo = registry.repository("lib/app");
        Digest manifest = push(repo, "1.0", "app");
        byte[] layer = "the layer of app".getBytes(StandardCharsets.UTF_8);
        events.clear();
        RequestContext context = RequestContext.local();

        Repository looked = registry.inspect(RepositoryName.parse("lib/app"), context);
        assertThat(looked.manifests().get(Reference.parse("1.0"))).isPresent();
        assertThat(looked.manifests().get(Reference.of(manifest))).isPresent();
        try (InputStream in = looked.blobs().open(Digest.sha256(layer), 0)) {
            assertThat(in.readAllBytes()).isEqualTo(layer);
        }
        assertThat(events).as("looking is not pulling").isEmpty();

        looked.tags().delete(new Tag("1.0"));
        registry.repository("lib/app").manifests().get(Reference.of(manifest));

        assertThat(events).extracting(RegistryEventsTest::line).containsExactly(
                "delete lib/app - 1.0",
                "pull lib/app " + manifest);
        assertThat(events.get(0).request().id()).isEqualTo(context.request().id());
    }

    @Test
    void anEmbedderCallingTheRegistryDirectlyGetsPushPullMountAndDeleteEvents() throws Exception {
        Repository repo = registry.repository("lib/app");
        byte[] config = "{\"seed\":\"app\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = "the layer of app".getBytes(StandardCharsets.UTF_8);
        Digest manifest = push(repo, "1.0", "app");
        Digest configDigest = Digest.sha256(config);
        Digest layerDigest = Digest.sha256(layer);

        assertThat(repo.manifests().stat(Reference.parse("1.0"))).as("a HEAD is no pull").isPresent();
        assertThat(repo.blobs().stat(layerDigest)).isPresent();
        assertThat(repo.manifests().get(Reference.parse("1.0"))).isPresent();
        try (InputStream in = repo.blobs().open(layerDigest, 0)) {
            assertThat(in.readAllBytes()).isEqualTo(layer);
        }
        Repository other = registry.repository("other");
        assertThat(other.blobs().mount(layerDigest, repo.name())).isPresent();
        repo.tags().delete(new Tag("1.0"));
        repo.manifests().delete(manifest);
        other.blobs().delete(layerDigest);

        assertThat(events).extracting(RegistryEventsTest::line).containsExactly(
                "push lib/app " + configDigest,
                "push lib/app " + layerDigest,
                "push lib/app " + manifest + " 1.0",
                "pull lib/app " + manifest + " 1.0",
                "pull lib/app " + layerDigest,
                "mount other " + layerDigest + " from lib/app",
                "delete lib/app - 1.0",
                "delete lib/app " + manifest,
                "delete other " + layerDigest);
        RegistryEvent layerPush = events.get(1);
        assertThat(layerPush.target().size()).isEqualTo(layer.length);
        assertThat(layerPush.target().mediaType()).isEqualTo(MediaTypes.OCTET_STREAM);
        assertThat(layerPush.target().url()).as("no request, no URL").isNull();
        assertThat(events.get(4).target().size()).as("a pulled blob's size").isEqualTo(layer.length);
        assertThat(events.get(3).target().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(events.get(3).target().references()).as("the listener did not ask for references").isEmpty();
        assertThat(events).extracting(e -> e.actor()).containsOnly(RegistryEvent.Actor.ANONYMOUS);
        assertThat(events.subList(0, 5)).extracting(e -> e.request().id())
                .as("what is done through one repository shares one request id").containsOnly(
                        events.get(0).request().id());
        assertThat(events.get(5).request().id()).as("another repository, another local context")
                .isNotEqualTo(events.get(0).request().id());
        assertThat(events).extracting(RegistryEvent::id).doesNotHaveDuplicates();
    }

    @Test
    void theRequestContextPassedInIsWhatTheEventsSay() throws Exception {
        RequestContext context = new RequestContext(new RegistryEvent.Request("req-1", "203.0.113.7",
                "registry.example.com", "PUT", "docker/27"), new RegistryEvent.Actor("alice"),
                "https://registry.example.com/r");
        Repository repo = registry.repository(new RepositoryName("team/app"), context);
        byte[] blob = "chunked".getBytes(StandardCharsets.UTF_8);
        Uploads.UploadStatus upload = repo.uploads().start();
        try (Uploads.ChunkWriter chunk = repo.uploads().openChunk(upload.id(), 0)) {
            chunk.readAll(new ByteArrayInputStream(blob));
            chunk.commit(Digest.sha256(blob));
        }

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(Action.PUSH);
            assertThat(e.request()).isEqualTo(context.request());
            assertThat(e.actor().name()).isEqualTo("alice");
            assertThat(e.target().url()).isEqualTo("https://registry.example.com/r/v2/team/app/blobs/"
                    + Digest.sha256(blob));
            assertThat(e.source()).isEqualTo(RegistryEvent.Source.NONE);
        });
    }

    @Test
    void manifestEventsCarryTheirReferencesWhenTheListenerAsks() throws Exception {
        registry.close();
        registry = Registry.builder().events(new EventListener() {
            @Override
            public void onEvent(RegistryEvent event) {
                events.add(event);
            }

            @Override
            public boolean includeReferences() {
                return true;
            }
        }).build();
        Repository repo = registry.repository("app");
        push(repo, "v1", "refs");
        repo.manifests().get(Reference.parse("v1"));
        assertThat(events).hasSize(4);
        assertThat(events.get(2).target().references()).hasSize(2);
        assertThat(events.get(3).target().references()).extracting(Descriptor::digest)
                .containsExactlyElementsOf(events.get(2).target().references().stream().map(Descriptor::digest)
                        .toList());
        assertThat(events.get(0).target().references()).as("blobs have none").isEmpty();
    }

    @Test
    void whatFailsRaisesNothingAndAListenerThatFailsFailsNothing() throws Exception {
        Repository repo = registry.repository("app");
        assertThat(repo.manifests().get(Reference.parse("nosuch"))).isEmpty();
        assertThatThrownBy(() -> repo.blobs().open(Digest.sha256(new byte[1]), 0))
                .isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> repo.tags().delete(new Tag("nosuch"))).isInstanceOf(RegistryException.class);
        assertThat(repo.blobs().mount(Digest.sha256(new byte[1]), new RepositoryName("elsewhere"))).isEmpty();
        assertThat(events).isEmpty();
        push(repo, "1.0", "app");
        events.clear();
        assertThatThrownBy(() -> repo.manifests().get(Reference.parse("1.0"), MediaTypes.DOCKER_MANIFEST::equals))
                .as("a type the client does not take is not served").isInstanceOf(RegistryException.class)
                .hasMessageContaining("does not accept");
        assertThat(events).isEmpty();
        assertThat(repo.manifests().get(Reference.parse("1.0"), MediaTypes.OCI_MANIFEST::equals)).isPresent();
        assertThat(events).hasSize(1);

        registry.close();
        registry = Registry.builder().events(event -> {
            throw new IllegalStateException("listener broken");
        }).build();
        Repository broken = registry.repository("app");
        Digest d = push(broken, "1.0", "broken");
        assertThat(broken.manifests().get(Reference.of(d))).isPresent();
        broken.manifests().delete(d);
    }

    @Test
    void deletingARepositoryIsOneDeleteWhoseTargetIsTheRepository() {
        push(registry.repository("team/app"), "1.0", "one");
        push(registry.repository("team/app"), "2.0", "two");
        events.clear();
        RequestContext context = RequestContext.local();

        registry.deleteRepository(new RepositoryName("team/app"), context);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(Action.DELETE);
            assertThat(e.target().repository()).isEqualTo("team/app");
            assertThat(e.target().digest()).isNull();
            assertThat(e.target().tag()).isNull();
            assertThat(e.request()).isEqualTo(context.request());
        });
    }

    @Test
    void retentionRaisesATagDeleteForEachTagItDeletesAndNoneInADryRun() {
        Repository repo = registry.repository("ci/app");
        push(repo, "a", "a");
        push(repo, "b", "b");
        push(repo, "latest", "latest");
        events.clear();
        Retention retention = Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 0, List.of("latest"))));

        retention.dryRun(registry);
        assertThat(events).isEmpty();
        retention.apply(registry);

        assertThat(events).extracting(RegistryEventsTest::line)
                .containsExactlyInAnyOrder("delete ci/app - a", "delete ci/app - b");
        assertThat(events.get(0).request().id()).as("one run, one request id")
                .isEqualTo(events.get(1).request().id());
    }

    @Test
    void garbageCollectionRaisesAManifestDeleteForEachUntaggedManifestItDeletes() {
        Repository repo = registry.repository("app");
        Digest untagged = push(repo, "old", "old");
        Digest tagged = push(repo, "latest", "latest");
        repo.tags().delete(new Tag("old"));
        events.clear();

        GcReport dry = registry.collectGarbage(GcOptions.DEFAULTS.withDeleteUntagged(true).withDryRun(true));
        assertThat(dry.manifestsDeleted()).hasSize(1);
        assertThat(events).as("a dry run deletes nothing").isEmpty();
        registry.collectGarbage(GcOptions.DEFAULTS.withDeleteUntagged(true));

        assertThat(events).extracting(RegistryEventsTest::line).containsExactly("delete app " + untagged);
        assertThat(repo.manifests().resolve(Reference.of(tagged))).isPresent();
    }

    @Test
    void withoutAListenerNothingIsBuiltAndTheRepositoryIsTheLocalOne() throws Exception {
        try (Registry quiet = Registry.builder().build()) {
            Repository repo = quiet.repository("app");
            assertThat(repo.getClass().getSimpleName()).isEqualTo("LocalRepository");
            assertThat(registry.repository("app").getClass().getSimpleName()).isNotEqualTo("LocalRepository");
        }
    }
}
