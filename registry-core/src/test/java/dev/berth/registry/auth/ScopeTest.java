package dev.berth.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Scope}: the Docker token scope grammar {@code type:name:actions}, and what a scope grants. */
class ScopeTest {

    @Test
    void repositoryScopeParsesTypeNameAndActions() {
        Scope s = Scope.parse("repository:a/b:pull,push");
        assertThat(s.type()).isEqualTo("repository");
        assertThat(s.name()).isEqualTo("a/b");
        assertThat(s.actions()).containsExactlyInAnyOrder("pull", "push");
        assertThat(s.isRepository()).isTrue();
        assertThat(s).hasToString("repository:a/b:pull,push");
    }

    @Test
    void catalogScopeIsTheConstant() {
        Scope s = Scope.parse("registry:catalog:*");
        assertThat(s).isEqualTo(Scope.CATALOG);
        assertThat(s.isRepository()).isFalse();
        assertThat(Scope.CATALOG).hasToString("registry:catalog:*");
    }

    @Test
    void aNameWithHostAndPortKeepsItsColonsBecauseTheNameIsBetweenFirstAndLastColon() {
        Scope s = Scope.parse("repository:localhost:5000/a/b:pull");
        assertThat(s.type()).isEqualTo("repository");
        assertThat(s.name()).isEqualTo("localhost:5000/a/b");
        assertThat(s.actions()).containsExactly("pull");
        assertThat(Scope.parse(s.toString())).isEqualTo(s);
        assertThat(s).hasToString("repository:localhost:5000/a/b:pull");
    }

    @Test
    void emptyActionsAreARequestForNothingAndRoundTrip() {
        Scope s = Scope.parse("repository:a/b:");
        assertThat(s.name()).isEqualTo("a/b");
        assertThat(s.actions()).isEmpty();
        assertThat(s).hasToString("repository:a/b:");
        assertThat(Scope.parse(s.toString())).isEqualTo(s);
        // Empty items between commas are dropped, duplicates collapse.
        assertThat(Scope.parse("repository:a:,pull,,pull,").actions()).containsExactly("pull");
    }

    @Test
    void toStringPutsKnownActionsInCanonicalOrderThenOthersSorted() {
        assertThat(Scope.parse("repository:a:delete,push,pull")).hasToString("repository:a:pull,push,delete");
        assertThat(Scope.parse("repository:a:zz,*,push,aa")).hasToString("repository:a:push,*,aa,zz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "repository", "repository:", "repository:a", ":a:pull", "repository::pull", "::",
            ":::", "repository:a/b"})
    void malformedScopesAreRefused(String text) {
        assertThatThrownBy(() -> Scope.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConstructorRefusesAnEmptyTypeOrNameOrATypeWithAColon() {
        assertThatThrownBy(() -> new Scope("", "a", Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scope("repository", "", Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scope("a:b", "c", Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scope(null, "c", Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseAllSplitsOnWhitespace() {
        assertThat(Scope.parseAll("  repository:a:pull \t registry:catalog:*\nrepository:b:push "))
                .containsExactly(Scope.parse("repository:a:pull"), Scope.CATALOG, Scope.parse("repository:b:push"));
        assertThat(Scope.parseAll("   ")).isEmpty();
        assertThatThrownBy(() -> Scope.parseAll("repository:a:pull nonsense"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nonsense");
    }

    @Test
    void repositoryFactoryWritesActionsInCanonicalOrder() {
        Scope s = Scope.repository(RepositoryName.parse("team/app"), EnumSet.of(Action.DELETE, Action.PULL));
        assertThat(s).hasToString("repository:team/app:pull,delete");
        assertThat(Scope.repository(RepositoryName.parse("x"), List.of())).hasToString("repository:x:");
    }

    @ParameterizedTest
    @CsvSource({
            "repository:a/b:pull,      a/b, PULL,   true",
            "repository:a/b:pull,      a/b, PUSH,   false",
            "repository:a/b:pull,      a/c, PULL,   false",
            "repository:a/b:pull,      a,   PULL,   false",
            "repository:a/b:*,         a/b, DELETE, true",
            "repository:a/b:,          a/b, PULL,   false",
            "registry:catalog:*,       catalog, PULL, false",
            "repository:a/*:pull,      a/b, PULL,   false"})
    void grantsIsExactOnTheNameAndHonoursTheWildcardAction(String scope, String repo, Action action,
            boolean expected) {
        assertThat(Scope.parse(scope).grants(RepositoryName.parse(repo), action)).isEqualTo(expected);
    }

    @Test
    void principalTokenGrantsAreACeiling() {
        RepositoryName app = RepositoryName.parse("app");
        assertThat(Principal.user("u").tokenForbids(app, Action.DELETE)).isFalse();
        assertThat(Principal.user("u").tokenForbidsCatalog()).isFalse();
        Principal token = Principal.withToken("u", List.of(Scope.parse("repository:app:pull")));
        assertThat(token.tokenForbids(app, Action.PULL)).isFalse();
        assertThat(token.tokenForbids(app, Action.PUSH)).isTrue();
        assertThat(token.tokenForbidsCatalog()).isTrue();
        assertThat(Principal.withToken("u", List.of(Scope.CATALOG)).tokenForbidsCatalog()).isFalse();
        assertThat(Principal.withToken("u", List.of(Scope.parse("registry:catalog:pull"))).tokenForbidsCatalog())
                .isTrue();
        assertThat(Principal.withToken("u", List.of()).tokenForbids(app, Action.PULL)).isTrue();
    }

    /** Property: any scope built from parts parses back from its text to an equal scope (seeded, reproducible). */
    @Test
    void randomScopesRoundTripThroughTheirText() {
        Random random = new Random(20261201L);
        String[] words = {"pull", "push", "delete", "*", "x"};
        for (int i = 0; i < 2000; i++) {
            String type = random.nextBoolean() ? "repository" : "registry";
            StringBuilder name = new StringBuilder();
            if (random.nextInt(4) == 0) {
                name.append("localhost:").append(1 + random.nextInt(65535)).append('/');
            }
            int components = 1 + random.nextInt(4);
            for (int c = 0; c < components; c++) {
                name.append(c == 0 ? "" : "/").append(randomComponent(random));
            }
            Set<String> actions = new LinkedHashSet<>();
            int n = random.nextInt(words.length + 1);
            for (int a = 0; a < n; a++) {
                actions.add(words[random.nextInt(words.length)]);
            }
            Scope scope = new Scope(type, name.toString(), actions);
            Scope back = Scope.parse(scope.toString());
            assertThat(back).as("seed case %d: %s", i, scope).isEqualTo(scope);
            assertThat(back.toString()).isEqualTo(scope.toString());
        }
    }

    private static String randomComponent(Random random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        int len = 1 + random.nextInt(8);
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        if (random.nextInt(3) == 0) {
            sb.append(random.nextBoolean() ? "-" : ".").append(alphabet.charAt(random.nextInt(26)));
        }
        return sb.toString();
    }
}
