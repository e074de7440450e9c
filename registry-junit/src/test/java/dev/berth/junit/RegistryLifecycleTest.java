package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * When registries start and stop: fixture classes (nested, so that the build does not run them on their own) run
 * in a launcher of their own and note what they saw; what is left after they finish is checked here.
 */
class RegistryLifecycleTest {
    /** What a fixture's test saw. */
    record Seen(String test, RegistryEndpoint endpoint, Registry registry, Path folder) {
    }

    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();

    @TempDir
    static Path given;
    /** Read by {@link GivenFolder} when it is first initialised: in the launcher, after a test here set it. */
    static Path givenFolder;

    @Test
    void aStaticFieldGivesTheClassAndItsNestedClassesOneRegistryStoppedAfterTheClass() {
        SEEN.clear();
        assertThat(run(ClassScoped.class).getTestsSucceededCount()).isEqualTo(3);

        assertThat(SEEN).hasSize(3);
        assertThat(SEEN).extracting(Seen::registry).containsOnly(SEEN.get(0).registry());
        assertThat(SEEN).extracting(Seen::endpoint).containsOnly(SEEN.get(0).endpoint());
        assertRefused(SEEN.get(0).endpoint());
        assertThat(SEEN.get(0).folder()).doesNotExist(); // the temporary folder went with it
        assertThat(ClassScoped.REGISTRY.toString()).contains("stopped");
        assertThatThrownBy(ClassScoped.REGISTRY::endpoint).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anInstanceFieldGivesEveryMethodItsOwnRegistry() {
        SEEN.clear();
        assertThat(run(MethodScoped.class).getTestsSucceededCount()).isEqualTo(2);

        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0).registry()).isNotSameAs(SEEN.get(1).registry());
        assertThat(SEEN.get(0).endpoint().port()).isNotEqualTo(SEEN.get(1).endpoint().port());
        SEEN.forEach(seen -> assertRefused(seen.endpoint()));
    }

    @Test
    void aFolderOfTheTestsOwnIsLeftWithWhatWasStored() {
        SEEN.clear();
        givenFolder = given;
        assertThat(run(GivenFolder.class).getTestsSucceededCount()).isEqualTo(1);

        assertRefused(SEEN.get(0).endpoint());
        assertThat(given.resolve("docker/registry/v2/blobs/sha256")).isDirectory();
    }

    @Test
    void aRegistryInAnInstanceFieldIsNotThereForBeforeAll() {
        TestExecutionSummary summary = run(InstanceFieldAskedTooEarly.class);

        assertThat(summary.getTestsSucceededCount()).isZero();
        assertThat(summary.getFailures()).singleElement().satisfies(failure -> assertThat(failure.getException())
                .hasMessageContaining("RegistryEndpoint"));
    }

    static class ClassScoped {
        @RegisterExtension
        static final BerthRegistryExtension REGISTRY = BerthRegistryExtension.builder().inFolder().build();

        @Test
        void first(Registry registry, RegistryEndpoint endpoint) {
            SEEN.add(new Seen("first", endpoint, registry, REGISTRY.storageFolder().orElseThrow()));
        }

        @Test
        void second(Registry registry, RegistryEndpoint endpoint) {
            SEEN.add(new Seen("second", endpoint, registry, REGISTRY.storageFolder().orElseThrow()));
        }

        @Nested
        class Inner {
            @Test
            void nested(Registry registry, RegistryEndpoint endpoint) {
                SEEN.add(new Seen("nested", endpoint, registry, REGISTRY.storageFolder().orElseThrow()));
            }
        }
    }

    static class MethodScoped {
        @RegisterExtension
        final BerthRegistryExtension registry = BerthRegistryExtension.builder().build();

        @Test
        void first(Registry registry, RegistryEndpoint endpoint) {
            SEEN.add(new Seen("first", endpoint, registry, null));
        }

        @Test
        void second(Registry registry, RegistryEndpoint endpoint) {
            SEEN.add(new Seen("second", endpoint, registry, null));
        }
    }

    static class GivenFolder {
        @RegisterExtension
        static final BerthRegistryExtension REGISTRY =
                BerthRegistryExtension.builder().inFolder(givenFolder).build();

        @Test
        void stores(Registry registry, RegistryEndpoint endpoint) throws IOException {
            byte[] blob = "kept".getBytes(StandardCharsets.UTF_8);
            registry.repository("kept/here").uploads().put(Digest.sha256(blob), new ByteArrayInputStream(blob));
            assertThat(REGISTRY.storageFolder()).contains(givenFolder);
            SEEN.add(new Seen("stores", endpoint, registry, givenFolder));
        }
    }

    static class InstanceFieldAskedTooEarly {
        @RegisterExtension
        final BerthRegistryExtension registry = BerthRegistryExtension.builder().build();

        @BeforeAll
        static void tooEarly(RegistryEndpoint endpoint) {
            throw new AssertionError("resolved " + endpoint);
        }

        @Test
        void neverRuns() {
        }
    }

    private static TestExecutionSummary run(Class<?> fixture) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(fixture)).build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.getFailures().forEach(failure -> failure.getException().printStackTrace());
        return summary;
    }

    private static void assertRefused(RegistryEndpoint endpoint) {
        assertThatThrownBy(() -> new Socket(endpoint.host(), endpoint.port()).close())
                .isInstanceOf(ConnectException.class);
    }
}
