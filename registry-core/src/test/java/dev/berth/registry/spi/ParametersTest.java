package dev.berth.registry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ParametersTest {

    private static Parameters p(Object... keysAndValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Parameters.of("storage.test", m);
    }

    @Test
    void absentAndNullKeysTakeTheDefault() {
        Parameters p = p("empty", null);
        assertThat(p.has("empty")).isFalse();
        assertThat(p.keys()).containsExactly("empty");
        assertThat(p.string("empty")).isEmpty();
        assertThat(p.string("missing", "d")).isEqualTo("d");
        assertThat(p.whole("empty", 7)).isEqualTo(7);
        assertThat(p.integer("missing", 3, 1, 5)).isEqualTo(3);
        assertThat(p.bool("missing", true)).isTrue();
        assertThat(p.duration("missing", Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.bytes("missing", 10)).isEqualTo(10);
        assertThat(p.strings("missing")).isEmpty();
        assertThat(p.section("missing").keys()).isEmpty();
        assertThat(p.path("missing")).isEmpty();
        assertThat(Parameters.of("x", null).keys()).isEmpty();
    }

    @Test
    void stringsTakeAnySingleValue() {
        assertThat(p("s", "text").string("s")).contains("text");
        assertThat(p("s", 42).string("s")).contains("42");
        assertThat(p("s", true).string("s")).contains("true");
        assertThat(p("s", "x").requiredString("s")).isEqualTo("x");
        assertThatThrownBy(() -> p("s", " ").requiredString("s")).isInstanceOf(ParameterException.class)
                .hasMessage("storage.test.s: required");
        assertThatThrownBy(() -> p().requiredString("s")).hasMessage("storage.test.s: required");
    }

    @Test
    void aMapOrAListWhereAValueBelongsIsNamedAndNotShown() {
        Map<String, Object> secret = Map.of("password", "s3cret");
        assertThatThrownBy(() -> p("s", secret).string("s"))
                .hasMessage("storage.test.s: expected a single value, found a map");
        assertThatThrownBy(() -> p("s", List.of("s3cret")).string("s"))
                .hasMessage("storage.test.s: expected a single value, found a list");
        assertThatThrownBy(() -> p("n", secret).whole("n", 0))
                .hasMessage("storage.test.n: expected a whole number, found a map");
        assertThatThrownBy(() -> p("b", List.of(true)).bool("b", false))
                .hasMessage("storage.test.b: expected true or false, found a list");
        assertThatThrownBy(() -> p("d", secret).duration("d"))
                .hasMessage("storage.test.d: expected a duration such as 300ms, 30s, 5m or 1h30m, found a map");
        assertThatThrownBy(() -> p("f", secret).path("f")).hasMessage("storage.test.f: expected a path, found a map");
        assertThatThrownBy(() -> p("l", secret).strings("l")).hasMessage("storage.test.l: expected a list, found a map");
        assertThatThrownBy(() -> p("l", List.of("a", secret)).strings("l"))
                .hasMessage("storage.test.l[1]: expected a single value, found a map");
        assertThatThrownBy(() -> p("sec", "s3cret").section("sec"))
                .hasMessage("storage.test.sec: expected a map of parameters, found a single value")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void wholeNumbersAreNumbersOrDigits() {
        assertThat(p("n", 5).whole("n", 0)).isEqualTo(5);
        assertThat(p("n", 5L).integer("n", 0)).isEqualTo(5);
        assertThat(p("n", " 12 ").whole("n", 0)).isEqualTo(12);
        assertThat(p("n", 3.0).whole("n", 0)).isEqualTo(3);
        assertThat(p("n", BigInteger.TEN).whole("n", 0)).isEqualTo(10);
        assertThat(p("n", "-4").whole("n", 0)).isEqualTo(-4);
        assertThatThrownBy(() -> p("n", "lots").whole("n", 0))
                .hasMessage("storage.test.n: expected a whole number, found 'lots'");
        assertThatThrownBy(() -> p("n", 1.5).whole("n", 0)).hasMessage("storage.test.n: expected a whole number, found '1.5'");
        assertThatThrownBy(() -> p("n", 0).integer("n", 1, 1, Integer.MAX_VALUE))
                .hasMessage("storage.test.n: expected a whole number of at least 1, found '0'");
        assertThatThrownBy(() -> p("n", 70_000).integer("n", 1, 1, 65_535))
                .hasMessage("storage.test.n: expected a whole number from 1 to 65535, found '70000'");
        assertThatThrownBy(() -> p("n", 5_000_000_000L).integer("n", 0))
                .hasMessageContaining("expected a whole number");
        assertThatThrownBy(() -> p("n", -1).bytes("n", 0))
                .hasMessage("storage.test.n: expected a whole number of bytes, not negative, found '-1'");
        assertThat(p("n", "6291456").bytes("n", 0)).isEqualTo(6_291_456);
    }

    @Test
    void booleansAreBooleansOrTrueAndFalseInAnyCase() {
        assertThat(p("b", true).bool("b", false)).isTrue();
        assertThat(p("b", "FALSE").bool("b", true)).isFalse();
        assertThat(p("b", " true ").bool("b", false)).isTrue();
        assertThatThrownBy(() -> p("b", "maybe").bool("b", false))
                .hasMessage("storage.test.b: expected true or false, found 'maybe'");
    }

    @Test
    void pathsAreTextOrPaths() {
        assertThat(p("f", "/etc/x").path("f")).contains(Path.of("/etc/x"));
        assertThat(p("f", Path.of("/y")).path("f")).contains(Path.of("/y"));
        assertThatThrownBy(() -> p("f", 42).path("f")).hasMessage("storage.test.f: expected a path, found '42'");
        assertThatThrownBy(() -> p("f", " ").path("f")).hasMessage("storage.test.f: expected a path, found an empty text");
    }

    @Test
    void listsTakeOneValueAsAListOfOne() {
        assertThat(p("l", List.of("a", 1)).strings("l")).containsExactly("a", "1");
        assertThat(p("l", "a").strings("l")).containsExactly("a");
        assertThat(p("l", new String[] {"a", "b"}).strings("l")).containsExactly("a", "b");
    }

    @ParameterizedTest
    @CsvSource({"300ms,300", "60s,60000", "5m,300000", "1h30m,5400000", "1.5h,5400000", "45,45000", "0,0",
            "1500ms,1500", "2m,120000", "1h,3600000", "PT5M,300000", "' 5m ',300000", ".5s,500", "1000us,1",
            "1000000ns,1"})
    void durationsAreGoStyleOrSecondsOrIso(String text, long millis) {
        assertThat(Parameters.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
        assertThat(p("d", text).duration("d")).contains(Duration.ofMillis(millis));
    }

    @Test
    void durationsKeepEveryNanosecond() {
        assertThat(Parameters.parseDuration("1h2m3s4ms5us6ns")).isEqualTo(Duration.ofHours(1).plusMinutes(2)
                .plusSeconds(3).plusMillis(4).plusNanos(5006));
        assertThat(Parameters.parseDuration("2\u00b5s")).isEqualTo(Duration.ofNanos(2000));
        assertThat(Parameters.parseDuration("2\u03bcs")).isEqualTo(Duration.ofNanos(2000));
        qt().forAll(longs().between(0, Long.MAX_VALUE / 1_000_000_000L)).checkAssert(s ->
                assertThat(Parameters.parseDuration(s + "s")).isEqualTo(Duration.ofSeconds(s)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "m", "5x", "-5m", "-1s", "soon", "1d", "5m3", "PT-5M", "99999999999999999999s"})
    void notADuration(String bad) {
        assertThatThrownBy(() -> p("d", bad).duration("d")).isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("storage.test.d: ");
    }

    @Test
    void durationsFromNumbersAreWholeSecondsAndNotNegative() {
        assertThat(p("d", 120).duration("d")).contains(Duration.ofSeconds(120));
        assertThat(p("d", 0).duration("d")).contains(Duration.ZERO);
        assertThat(p("d", Duration.ofMillis(5)).duration("d")).contains(Duration.ofMillis(5));
        for (Object bad : new Object[] {-3, 1.5, Duration.ofSeconds(-1)}) {
            assertThatThrownBy(() -> p("d", bad).duration("d")).as("%s", bad)
                    .hasMessageStartingWith("storage.test.d: ");
        }
        assertThatThrownBy(() -> p("d", "soon").duration("d"))
                .hasMessage("storage.test.d: 'soon' is not a duration (write it like 300ms, 30s, 5m or 1h30m)");
    }

    @Test
    void unknownKeysAreNamedWithThoseThatAreKnown() {
        assertThatThrownBy(() -> p("rootdir", "x").rejectUnknown("rootdirectory", "maxthreads"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("storage.test.rootdir: unknown parameter (known: maxthreads, rootdirectory)");
        assertThatThrownBy(() -> p("b", 1, "a", 2).rejectUnknown("c"))
                .hasMessage("storage.test: unknown parameters a, b (known: c)");
        assertThatThrownBy(() -> p("a", null).rejectUnknown())
                .hasMessage("storage.test.a: unknown parameter (it takes none)");
        assertThat(p("a", 1).rejectUnknown("a", "b").whole("a", 0)).isEqualTo(1);
    }

    @Test
    void sectionsNameTheirKeysFromThePlugin() {
        Parameters pool = Parameters.of("redis", Map.of("pool", Map.of("maxidel", 3, "maxactive", "x"))).section("pool");
        assertThatThrownBy(() -> pool.rejectUnknown("maxidle", "maxactive"))
                .hasMessage("redis.pool.maxidel: unknown parameter (known: maxactive, maxidle)")
                .isInstanceOfSatisfying(ParameterException.class, e -> {
                    assertThat(e.plugin()).isEqualTo("redis");
                    assertThat(e.key()).isEqualTo("pool.maxidel");
                    assertThat(e.path()).isEqualTo("redis.pool.maxidel");
                    assertThat(e.problem()).isEqualTo("unknown parameter (known: maxactive, maxidle)");
                });
        assertThatThrownBy(() -> pool.integer("maxactive", 1))
                .hasMessage("redis.pool.maxactive: expected a whole number, found 'x'");
        assertThat(pool.invalid("maxactive", "too many").getMessage()).isEqualTo("redis.pool.maxactive: too many");
    }

    @Test
    void toStringShowsKeysOnly() {
        assertThat(p("password", "s3cret").toString()).contains("password").doesNotContain("s3cret");
    }
}
