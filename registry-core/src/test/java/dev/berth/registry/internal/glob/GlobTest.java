package dev.berth.registry.internal.glob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The globs shared by access rules, immutable tags and retention policies. */
class GlobTest {
    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "**, a, true",
        "**, a/b/c, true",
        "team/**, team, true",
        "team/**, team/a/b, true",
        "team/**, teams, false",
        "team/*, team/a, true",
        "team/*, team/a/b, false",
        "**/app, x/y/app, true",
        "**/app, app, true",
        "v*, v1.2.3, true",
        "v*, latest, false",
        "release-?, release-1, true",
        "release-?, release-10, false",
        "a.b, a.b, true",
        "a.b, axb, false",
        "'${user}/x', '${user}/x', true",
    })
    void matches(String glob, String name, boolean expected) {
        assertThat(Glob.of(glob).matches(name)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"'${user}/**', alice/x, true", "'${user}/**', bob/x, false", "'${user}', 'a.b', true"})
    void theUserPlaceholderStandsForTheNameQuoted(String glob, String name, boolean expected) {
        assertThat(Glob.compile(glob, name.startsWith("a") ? name.split("/")[0] : "alice").matcher(name).matches())
                .isEqualTo(expected);
        assertThat(Glob.compile("${user}", "a.b").matcher("axb").matches()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void anEmptyGlobIsRefused() {
        assertThatThrownBy(() -> Glob.of("")).hasMessageContaining("empty pattern");
    }
}
