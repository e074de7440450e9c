package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.berth.registry.Registry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train-startup}, the launcher's training run: it pushes and pulls through a server of its own, and exits. */
class StartupTrainingTest {
    @TempDir
    Path root;

    @Test
    void pushesAndPullsThroughAServerOfItsOwnAndSucceeds() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {StartupTraining.COMMAND}, Map.of("REGISTRY_HTTP_ADDR", "256.0.0.1:-1"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(code).as("the environment's configuration, invalid here, is not read").isZero();
    }

    @Test
    void failsWhenTheServerRefusesThePush() throws Exception {
        Registry registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .readOnly(true).build();
        try (BerthServer server = BerthServer.start(registry, "127.0.0.1", 0)) {
            assertThat(catchThrowable(() -> StartupTraining.exercise(server.port(), 0)))
                    .hasMessageContaining("expected 202");
        }
    }
}
