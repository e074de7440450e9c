package dev.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.RetentionPolicy;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Berth's own {@code tags.immutable} and {@code retention} sections. */
class LifecycleConfigTest {
    static final String BASE = "version: 0.1\nstorage:\n  inmemory: {}\n  delete: {enabled: true}\n";

    static ServerConfig parse(String extra) {
        return ConfigLoader.parse(BASE + extra, Map.of());
    }

    @Test
    void withoutTheSectionsNothingIsImmutableAndNoRetentionRuns() {
        ServerConfig c = parse("");
        assertThat(c.immutableTags().isEmpty()).isTrue();
        assertThat(c.retention()).isEqualTo(ServerConfig.Retention.NONE);
        assertThat(c.retention().scheduled()).isFalse();
    }

    @Test
    void readsImmutableTagRules() {
        ServerConfig c = parse("""
                tags:
                  immutable:
                    - repositories: ["prod/**"]
                      tags: ["v*", "release-*"]
                    - repositories: base
                      tags: latest
                """);
        assertThat(c.warnings()).isEmpty();
        assertThat(c.immutableTags().rules()).hasSize(2);
        assertThat(c.immutableTags().isImmutable(RepositoryName.parse("prod/a/b"), Tag.parse("release-3"))).isTrue();
        assertThat(c.immutableTags().isImmutable(RepositoryName.parse("prod/a"), Tag.parse("latest"))).isFalse();
        assertThat(c.immutableTags().isImmutable(RepositoryName.parse("base"), Tag.parse("latest"))).isTrue();
    }

    @Test
    void tagLimitsAreStillWarnedAboutAndIgnored() {
        ServerConfig c = parse("tags:\n  maxtags: 10\n  immutable: [{repositories: [a], tags: [v1]}]\n");
        assertThat(c.warnings()).containsExactly("tags.maxtags: tag limits are not available yet; ignored");
        assertThat(c.immutableTags().rules()).hasSize(1);
    }

    @Test
    void readsRetention() {
        ServerConfig c = parse("""
                retention:
                  interval: 24h
                  dryrun: false
                  policies:
                    - repositories: ["ci/**"]
                      keeplast: 10
                      keeptags: ["latest", "v*"]
                    - repositories: ["tmp/*"]
                      keeplast: 1
                """);
        assertThat(c.warnings()).isEmpty();
        assertThat(c.retention().interval()).isEqualTo(Duration.ofHours(24));
        assertThat(c.retention().dryRun()).isFalse();
        assertThat(c.retention().scheduled()).isTrue();
        assertThat(c.retention().policies()).containsExactly(
                new RetentionPolicy(List.of("ci/**"), 10, List.of("latest", "v*")),
                new RetentionPolicy(List.of("tmp/*"), 1, List.of()));
    }

    @Test
    void withoutAnIntervalOnlyTheCommandApplies() {
        ServerConfig c = parse("retention:\n  policies: [{repositories: [a], keeptags: [v*]}]\n");
        assertThat(c.retention().interval()).isZero();
        assertThat(c.retention().scheduled()).isFalse();
        assertThat(c.retention().policies()).hasSize(1);
        assertThat(parse("retention:\n  interval: 0\n  policies: [{repositories: [a], keeplast: 3}]\n")
                .retention().scheduled()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "retention: {interval: 1h}| retention.policies: missing",
        "retention: {policies: [{keeplast: 1}]}| retention.policies[0].repositories: missing",
        "retention: {policies: [{repositories: [a]}]}| retention.policies[0]: keeps nothing",
        "retention: {policies: [{repositories: [a], keeplast: 0}]}| retention.policies[0]: keeps nothing",
        "retention: {policies: [{repositories: [a], keeplast: -1}]}| retention.policies[0].keeplast: must be a whole number",
        "retention: {policies: [{repositories: [a], keeplast: ten}]}| retention.policies[0].keeplast: must be a whole number",
        "retention: {policies: [{repositories: [a], keepLast: 3}]}| retention.policies[0].keepLast: unknown key",
        "retention: {policies: [{repositories: [''], keeplast: 3}]}| retention.policies[0].repositories: an empty pattern",
        "retention: {policies: [{repositories: [a], keeptags: ['']}]}| retention.policies[0].keeptags: an empty pattern",
        "retention: {policies: {repositories: [a]}}| retention.policies: must be a list",
        "retention: {policies: [a]}| retention.policies[0]: must be a mapping",
        "retention: {interval: soon, policies: [{repositories: [a], keeplast: 1}]}| retention.interval:",
        "tags: {immutable: [{repositories: [a]}]}| tags.immutable[0].tags: missing",
        "tags: {immutable: [{tags: [v1]}]}| tags.immutable[0].repositories: missing",
        "tags: {immutable: [{repositories: [a], tags: [v1], mutable: true}]}| tags.immutable[0].mutable: unknown key",
        "tags: {immutable: {repositories: [a]}}| tags.immutable: must be a list",
    })
    void mistakesNameTheirKey(String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml + "\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expected.trim());
    }

    @Test
    void scheduledDeletingRetentionNeedsDeletesEnabled() {
        String noDeletes = "version: 0.1\nstorage: {inmemory: {}}\n";
        assertThatThrownBy(() -> ConfigLoader.parse(noDeletes + "retention: {interval: 1h, policies: [{repositories:"
                + " [a], keeplast: 1}]}\n", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("retention.interval: scheduled retention deletes tags")
                .hasMessageContaining("storage.delete.enabled");
        // a dry run, or the command alone, is fine
        assertThat(ConfigLoader.parse(noDeletes + "retention: {interval: 1h, dryrun: true, policies: [{repositories:"
                + " [a], keeplast: 1}]}\n", Map.of()).retention().scheduled()).isTrue();
        assertThat(ConfigLoader.parse(noDeletes + "retention: {policies: [{repositories: [a], keeplast: 1}]}\n",
                Map.of()).retention().policies()).hasSize(1);
    }

    @Test
    void unknownKeysOfTheSectionsAreWarnings() {
        ServerConfig c = parse("retention: {policies: [{repositories: [a], keeplast: 1}], every: 1h}\n"
                + "tags: {frozen: true}\n");
        assertThat(c.warnings()).contains("retention.every: unknown key, ignored", "tags.frozen: unknown key, ignored");
    }
}
