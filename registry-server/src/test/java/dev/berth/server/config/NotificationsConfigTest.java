package dev.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.notifications.EndpointConfig;
import dev.berth.registry.events.RegistryEvent.Action;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** distribution's {@code notifications} section, and Berth's {@code queuesize}. */
class NotificationsConfigTest {
    static final String STORAGE = "version: 0.1\nstorage: {inmemory: {}}\n";

    @Test
    void readsEveryKeyOfAnEndpoint() {
        ServerConfig c = ConfigLoader.parse(STORAGE + """
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: alistener
                      disabled: false
                      url: https://mylistener.example.com/event
                      headers:
                        Authorization: [Bearer s3cr3t]
                        X-Tenant: [a, b]
                      timeout: 500ms
                      threshold: 5
                      backoff: 1s
                      ignoredmediatypes: [application/octet-stream]
                      ignore:
                        mediatypes: [application/vnd.oci.image.config.v1+json]
                        actions: [pull, Mount]
                      queuesize: 50
                    - name: second
                      url: http://10.0.0.2:8080/hook
                """, Map.of());
        assertThat(c.warnings()).isEmpty();
        assertThat(c.notifications().includeReferences()).isTrue();
        assertThat(c.notifications().enabled()).isTrue();
        List<EndpointConfig> endpoints = c.notifications().endpoints();
        assertThat(endpoints).hasSize(2);
        EndpointConfig e = endpoints.get(0);
        assertThat(e.name()).isEqualTo("alistener");
        assertThat(e.url()).isEqualTo(URI.create("https://mylistener.example.com/event"));
        assertThat(e.headers()).isEqualTo(Map.of("Authorization", List.of("Bearer s3cr3t"),
                "X-Tenant", List.of("a", "b")));
        assertThat(e.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(e.threshold()).isEqualTo(5);
        assertThat(e.backoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(e.ignoredMediaTypes()).isEqualTo(Set.of("application/octet-stream",
                "application/vnd.oci.image.config.v1+json"));
        assertThat(e.ignoredActions()).isEqualTo(Set.of(Action.PULL, Action.MOUNT));
        assertThat(e.queueSize()).isEqualTo(50);
        assertThat(e.disabled()).isFalse();
        assertThat(c.notifications().toString()).doesNotContain("s3cr3t");

        EndpointConfig defaults = endpoints.get(1);
        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.threshold()).isEqualTo(10);
        assertThat(defaults.backoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.queueSize()).isEqualTo(10_000);
        assertThat(defaults.headers()).isEmpty();
    }

    @Test
    void zeroValuesTakeDistributionsDefaultsAndDisabledEndpointsNeedNoUrl() {
        ServerConfig c = ConfigLoader.parse(STORAGE + """
                notifications:
                  endpoints:
                    - {name: a, url: 'http://h/', timeout: 0s, threshold: 0, backoff: 0}
                    - {name: b, disabled: true}
                    - {name: c, disabled: true, url: 'http://h/'}
                """, Map.of());
        assertThat(c.notifications().endpoints()).extracting(EndpointConfig::name).containsExactly("a", "c");
        EndpointConfig a = c.notifications().endpoints().get(0);
        assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(a.threshold()).isEqualTo(10);
        assertThat(a.backoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.notifications().endpoints().get(1).disabled()).isTrue();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void environmentOverridesIncludeReferences() {
        ServerConfig c = ConfigLoader.parse(STORAGE + "notifications: {endpoints: [{name: a, url: 'http://h/'}]}\n",
                Map.of("REGISTRY_NOTIFICATIONS_EVENTS_INCLUDEREFERENCES", "true"));
        assertThat(c.notifications().includeReferences()).isTrue();
        assertThat(c.notifications().endpoints()).hasSize(1);
    }

    @Test
    void noSectionOrOnlyDisabledEndpointsStartsNothing() {
        assertThat(ConfigLoader.parse(STORAGE, Map.of()).notifications().enabled()).isFalse();
        assertThat(ConfigLoader.parse(STORAGE + "notifications: {endpoints: [{name: x, disabled: true,"
                + " url: 'http://h/'}]}\n", Map.of()).notifications().enabled()).isFalse();
    }

    @Test
    void unknownKeysInAnEndpointAreWarningsNamingTheirIndex() {
        ServerConfig c = ConfigLoader.parse(STORAGE + "notifications: {endpoints: [{name: a, url: 'http://h/'},"
                + " {name: b, url: 'http://h/', colour: blue, ignore: {actions: [pull], size: 1}}], other: 1}\n",
                Map.of());
        assertThat(c.warnings()).containsExactlyInAnyOrder("notifications.endpoints[1].colour: unknown key, ignored",
                "notifications.endpoints[1].ignore.size: unknown key, ignored", "notifications.other: unknown key,"
                        + " ignored");
        assertThat(c.notifications().endpoints()).hasSize(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {endpoints: [{name: a}]}                                           | notifications.endpoints[0].url
            {endpoints: [{name: a, url: 'ftp://h/'}]}                          | notifications.endpoints[0].url
            {endpoints: [{name: a, url: 'http://h/ x'}]}                       | notifications.endpoints[0].url
            {endpoints: [{name: a, url: '/relative'}]}                         | notifications.endpoints[0].url
            {endpoints: [{name: a, url: 'http://h/'}, {name: a, url: 'http://h/'}]} | notifications.endpoints[1].name
            {endpoints: [{url: 'http://h/', timeout: soon}]}                   | notifications.endpoints[0].timeout
            {endpoints: [{url: 'http://h/', backoff: -1s}]}                    | notifications.endpoints[0].backoff
            {endpoints: [{url: 'http://h/', threshold: -1}]}                   | notifications.endpoints[0].threshold
            {endpoints: [{url: 'http://h/', queuesize: 0}]}                    | notifications.endpoints[0].queuesize
            {endpoints: [{url: 'http://h/', headers: {'Bad Header': [x]}}]}    | notifications.endpoints[0].headers.Bad Header
            {endpoints: [{url: 'http://h/', headers: {Host: [x]}}]}            | notifications.endpoints[0].headers.Host
            {endpoints: [{url: 'http://h/', headers: [x]}]}                    | notifications.endpoints[0].headers
            {endpoints: [{url: 'http://h/', ignore: {actions: [fetch]}}]}      | notifications.endpoints[0].ignore.actions
            {endpoints: [{url: 'http://h/', disabled: perhaps}]}               | notifications.endpoints[0].disabled
            {endpoints: {name: a}}                                             | notifications.endpoints
            {endpoints: [x]}                                                   | notifications.endpoints[0]
            {events: {includereferences: maybe}}                               | notifications.events.includereferences
            """)
    void badValuesStopStartupNamingTheKey(String section, String key) {
        assertThatThrownBy(() -> ConfigLoader.parse(STORAGE + "notifications: " + section + "\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.getMessage()).startsWith(key + ": ");
                });
    }
}
