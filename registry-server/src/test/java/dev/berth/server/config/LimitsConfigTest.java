package dev.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Berth's own {@code http.limits} and {@code http.threads}. */
class LimitsConfigTest {
    static final String BASE = "version: 0.1\nstorage: {inmemory: {}}\n";

    static ServerConfig parse(String http, Map<String, String> env) {
        return ConfigLoader.parse(BASE + http, env);
    }

    @Test
    void limitsReadAsARecordsOwnTextDoes() throws Exception {
        ServerConfig.Limits limits = new ServerConfig.Limits(1, 2, Duration.ofSeconds(3), Duration.ofMinutes(4),
                Duration.ofMillis(5), 6, 7, Duration.ofHours(8));
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : ServerConfig.Limits.class.getRecordComponents()) {
            parts.add(c.getName() + "=" + c.getAccessor().invoke(limits));
        }
        assertThat(limits).hasToString("Limits[" + String.join(", ", parts) + "]");
        assertThat(limits.toString()).contains("maxConnectionsPerClient=7", "bodyTimeout=PT8H");
    }

    @Test
    void withoutTheSectionTheDefaultsProtectYetAllowThousandsOfTransfers() {
        ServerConfig.Http h = parse("", Map.of()).http();
        assertThat(h.limits()).isEqualTo(ServerConfig.Limits.DEFAULTS);
        assertThat(h.threads()).isEqualTo(ServerConfig.Threads.AUTO);
        ServerConfig.Limits d = ServerConfig.Limits.DEFAULTS;
        assertThat(d.maxConnections()).isGreaterThan(5_000);
        assertThat(d.minRequestRate()).isEqualTo(1024);
        assertThat(d.minResponseRate()).isEqualTo(1024);
        assertThat(d.rateGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.maxConnections()).isEqualTo(10_000);
        assertThat(d.maxConnectionsPerClient()).isEqualTo(1_000);
        assertThat(d.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ConfigLoader.load(null, Map.of()).http().limits()).isEqualTo(d);
    }

    @Test
    void readsEveryKey() {
        ServerConfig c = parse("""
                http:
                  threads: platform
                  limits:
                    minrequestrate: 2048
                    minresponserate: 0
                    rategrace: 1m
                    idletimeout: 2m
                    headertimeout: 5s
                    maxconnections: 20000
                    maxconnectionsperclient: 0
                    bodytimeout: 15s
                """, Map.of());
        assertThat(c.warnings()).isEmpty();
        assertThat(c.http().limits()).isEqualTo(new ServerConfig.Limits(2048, 0, Duration.ofMinutes(1),
                Duration.ofMinutes(2), Duration.ofSeconds(5), 20_000, 0, Duration.ofSeconds(15)));
        assertThat(c.http().limits().perClientCap()).isFalse();
        assertThat(c.http().threads()).isEqualTo(ServerConfig.Threads.PLATFORM);
    }

    @Test
    void aKeyLeftOutKeepsItsDefault() {
        ServerConfig.Limits l = parse("http:\n  limits:\n    maxconnectionsperclient: 50\n", Map.of()).http()
                .limits();
        assertThat(l).isEqualTo(new ServerConfig.Limits(1024, 1024, Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(10), 10_000, 50, Duration.ofSeconds(30)));
    }

    @Test
    void environmentOverridesTheFile() {
        ServerConfig c = parse("http:\n  limits:\n    maxconnections: 500\n", Map.of(
                "REGISTRY_HTTP_LIMITS_MAXCONNECTIONS", "20000",
                "REGISTRY_HTTP_LIMITS_HEADERTIMEOUT", "3s",
                "REGISTRY_HTTP_THREADS", "platform"));
        assertThat(c.http().limits().maxConnections()).isEqualTo(20_000);
        assertThat(c.http().limits().headerTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.http().threads()).isEqualTo(ServerConfig.Threads.PLATFORM);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void unknownKeysInTheSectionAreWarnings() {
        ServerConfig c = parse("http:\n  limits:\n    maxconnectionsperip: 5\n", Map.of());
        assertThat(c.warnings()).containsExactly("http.limits.maxconnectionsperip: unknown key, ignored");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {minrequestrate: -1}                 | http.limits.minrequestrate
            {minresponserate: fast}              | http.limits.minresponserate
            {rategrace: 0}                       | http.limits.rategrace
            {rategrace: soon}                    | http.limits.rategrace
            {idletimeout: 0s}                    | http.limits.idletimeout
            {headertimeout: 0}                   | http.limits.headertimeout
            {maxconnections: 0}                  | http.limits.maxconnections
            {maxconnections: 1e4}                | http.limits.maxconnections
            {maxconnections: 99999999999}        | http.limits.maxconnections
            {maxconnectionsperclient: -2}        | http.limits.maxconnectionsperclient
            {bodytimeout: 0ms}                   | http.limits.bodytimeout
            [1, 2]                               | http.limits
            """)
    void badValuesStopStartupNamingTheKey(String limits, String key) {
        assertThatThrownBy(() -> parse("http:\n  limits: " + limits + "\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.getMessage()).startsWith(key + ": ");
                });
    }

    @Test
    void badValueFromTheEnvironmentNamesTheKey() {
        assertThatThrownBy(() -> parse("", Map.of("REGISTRY_HTTP_LIMITS_MAXCONNECTIONSPERCLIENT", "lots")))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("http.limits.maxconnectionsperclient"));
    }

    @Test
    void anUnknownThreadModelNamesTheKey() {
        assertThatThrownBy(() -> parse("http: {threads: green}\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("http.threads");
                    assertThat(e.getMessage()).contains("auto, virtual or platform");
                });
    }

    @Test
    void autoMeansVirtualThreadsFromJava21AndPlatformThreadsBefore() {
        assertThat(ServerConfig.Threads.AUTO.virtualOn(17)).isFalse();
        assertThat(ServerConfig.Threads.AUTO.virtualOn(21)).isTrue();
        assertThat(ServerConfig.Threads.AUTO.virtualOn(25)).isTrue();
        assertThat(ServerConfig.Threads.PLATFORM.virtualOn(25)).isFalse();
        assertThat(ServerConfig.Threads.VIRTUAL.virtualOn(21)).isTrue();
        assertThat(ServerConfig.Threads.VIRTUAL.availableOn(17)).isFalse();
        assertThatThrownBy(() -> ServerConfig.Threads.VIRTUAL.virtualOn(17))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.threads: ");
    }

    /** One test for both JVMs CI runs on (17 and 25), so that neither skips it. */
    @Test
    void virtualThreadsAreAcceptedFromJava21AndAConfigurationErrorBefore() {
        if (Runtime.version().feature() >= 21) {
            assertThat(parse("http: {threads: Virtual}\n", Map.of()).http().threads())
                    .isEqualTo(ServerConfig.Threads.VIRTUAL);
        } else {
            assertThatThrownBy(() -> parse("http: {threads: virtual}\n", Map.of()))
                    .isInstanceOfSatisfying(ConfigException.class, e -> {
                        assertThat(e.key()).isEqualTo("http.threads");
                        assertThat(e.getMessage()).contains("Java 21");
                    });
        }
        assertThat(parse("http: {threads: auto}\n", Map.of()).http().threads()).isEqualTo(ServerConfig.Threads.AUTO);
    }

    @Test
    void recordRefusesWhatTheLoaderRefusesNamingTheKey() {
        assertThatThrownBy(() -> new ServerConfig.Limits(0, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0, 0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("maxconnections: ");
        assertThatThrownBy(() -> new ServerConfig.Limits(0, 0, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofSeconds(1), 1, 0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("idletimeout: ");
    }
}
