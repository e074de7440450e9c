package dev.berth.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedQuickstartTest {
    @TempDir
    Path data;

    @Test
    void quickstartLeavesAnImageThatAnotherRegistryInstanceServes() throws Exception {
        EmbeddedQuickstart.main(new String[] {data.toString()});
        EmbeddedQuickstart.main(new String[] {data.toString()}); // idempotent: runs again on its own data

        assertThat(data.resolve("docker/registry/v2/repositories/examples/hello/_manifests/tags/latest/current/link"))
                .exists();
        try (Registry registry = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", data.toString())).build()) {
            assertThat(registry.catalog()).containsExactly(new RepositoryName("examples/hello"));
            assertThat(registry.repository("examples/hello").manifests().get(Reference.parse("latest"))).isPresent();
        }
        assertThat(data.resolve("docker/registry/v2/repositories/examples/hello/_uploads")).doesNotExist();
    }
}
