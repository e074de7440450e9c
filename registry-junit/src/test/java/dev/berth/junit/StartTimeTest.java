package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How long a registry takes to start, measured in this JVM from the extension's call to the accepting port, and
 * printed (target/surefire-reports/dev.berth.junit.StartTimeTest-output.txt). Nothing here asserts a time: a slow CI
 * machine must not fail the build. The first start of a JVM pays for class loading; run this class alone
 * ({@code -Dtest=StartTimeTest}) to see that cost.
 */
class StartTimeTest {
    private static final int RUNS = 20;

    @Test
    void printsTheStartTimeOfEachKindOfRegistry() throws Exception {
        report("in memory", () -> BerthRegistryExtension.builder().build());
        report("in a temporary folder", () -> BerthRegistryExtension.builder().inFolder().build());
        report("with a user", () -> BerthRegistryExtension.builder().withUser("alice", "secret").build());
        report("TLS, generated CA", () -> BerthRegistryExtension.builder().withTls().build());
    }

    private static void report(String kind, Supplier<BerthRegistryExtension> extension) throws Exception {
        List<Duration> times = new ArrayList<>();
        for (int i = 0; i <= RUNS; i++) {
            RunningRegistry running = RunningRegistry.start(extension.get().settingsForTest());
            try (Socket connected = new Socket(running.endpoint().host(), running.endpoint().port())) {
                assertThat(connected.isConnected()).isTrue();
            } finally {
                running.stop();
            }
            times.add(running.startTime());
        }
        Duration first = times.remove(0);
        times.sort(null);
        System.out.printf(Locale.ROOT, "start time, %-22s first %6.1f ms, then median %5.1f ms, max %5.1f ms (%d runs)%n",
                kind + ":", millis(first), millis(times.get(times.size() / 2)), millis(times.get(times.size() - 1)),
                RUNS);
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }
}
