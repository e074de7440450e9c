package dev.berth.registry.auth;

import static dev.berth.registry.spi.auth.Action.DELETE;
import static dev.berth.registry.spi.auth.Action.PULL;
import static dev.berth.registry.spi.auth.Action.PUSH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link AccessRules}: globs, who, union evaluation with default deny, and parse errors that name their key. */
class AccessRulesTest {

    static Map<String, Object> rule(Object repositories, Object who, Object allow) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("repositories", repositories);
        r.put("who", who);
        r.put("allow", allow);
        return r;
    }

    @SafeVarargs
    static AccessRules rules(Map<String, Object>... rules) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Map<String, Object> r : rules) {
            list.add(r);
        }
        return AccessRules.parse(Map.of("rules", list));
    }

    static AccessRules pattern(String glob) {
        return rules(rule(List.of(glob), List.of("everyone"), List.of("pull")));
    }

    static RepositoryName repo(String name) {
        return RepositoryName.parse(name);
    }

    static Principal user(String name, String... groups) {
        return new Principal(name, Set.of(groups), Optional.empty());
    }

    // ------------------------------------------------------------------ globs

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
            "*,            a,           true",
            "*,            a/b,         false",
            "team/*,       team/a,      true",
            "team/*,       team/a/b,    false",
            "team/*,       team,        false",
            "team/**,      team,        true",
            "team/**,      team/a,      true",
            "team/**,      team/a/b/c,  true",
            "team/**,      teams,       false",
            "team/**,      teamx/a,     false",
            "team/**,      other/team,  false",
            "**,           a,           true",
            "**,           a/b/c,       true",
            "**/app,       app,         true",
            "**/app,       x/y/app,     true",
            "**/app,       x/myapp,     false",
            "a/**/z,       a/z,         true",
            "a/**/z,       a/b/c/z,     true",
            "a/**/z,       a/bz,        false",
            "a?c,          abc,         true",
            "a?c,          ac,          false",
            "a?c,          abbc,        false",
            "a/?,          a/b,         true",
            "lib/a*,       lib/alpine,  true",
            "lib/a*,       lib/alpine/x, false",
            "lib/a*,       lib/busybox, false",
            "lib.x/a,      lib.x/a,     true",
            "lib.x/a,      libyx/a,     false",
            "exact/name,   exact/name,  true",
            "exact/name,   exact/name2, false"})
    void globsMatchAsDocumented(String glob, String name, boolean expected) {
        assertThat(pattern(glob).permits(null, repo(name), PULL)).isEqualTo(expected);
    }

    @Test
    void regexCharactersInAGlobAreLiteral() {
        // '.' is a legal name character and must not act as "any character".
        assertThat(pattern("a.b").permits(null, repo("a.b"), PULL)).isTrue();
        assertThat(pattern("a.b").permits(null, repo("a-b"), PULL)).isFalse();
    }

    @Test
    void personalNamespacesFollowTheCallerAndNeverMatchAnonymous() {
        AccessRules r = rules(rule(List.of("${user}/**"), List.of("everyone"), List.of("pull", "push", "delete")));
        assertThat(r.allowed(user("alice"), repo("alice"))).containsExactlyInAnyOrder(PULL, PUSH, DELETE);
        assertThat(r.allowed(user("alice"), repo("alice/app/x"))).containsExactlyInAnyOrder(PULL, PUSH, DELETE);
        assertThat(r.allowed(user("alice"), repo("bob/app"))).isEmpty();
        assertThat(r.allowed(user("alice"), repo("alicex/app"))).isEmpty();
        assertThat(r.allowed(null, repo("alice/app"))).isEmpty();
        assertThat(r.allowed(null, repo("anonymous/app"))).isEmpty();
        assertThat(r.permitsCatalog(null)).as("a personal rule gives anonymous callers nothing to list").isFalse();
    }

    @Test
    void aUserNameWithRegexCharactersIsQuotedInAPersonalNamespace() {
        AccessRules r = rules(rule("${user}/**", "authenticated", "pull"));
        assertThat(r.permits(user("a.b"), repo("a.b/x"), PULL)).isTrue();
        assertThat(r.permits(user("a.b"), repo("axb/x"), PULL)).isFalse();
        assertThat(r.permits(user(".*"), repo("anything"), PULL)).isFalse();
    }

    // ------------------------------------------------------------------ who

    static Stream<Arguments> whoCases() {
        Principal alice = user("alice");
        Principal bob = user("bob");
        Principal carol = user("carol", "ops"); // a group reported by the authenticator
        return Stream.of(
                Arguments.of("everyone", null, true),
                Arguments.of("everyone", alice, true),
                Arguments.of("authenticated", null, false),
                Arguments.of("authenticated", alice, true),
                Arguments.of("anonymous", null, true),
                Arguments.of("anonymous", alice, false),
                Arguments.of("user:alice", alice, true),
                Arguments.of("user:alice", bob, false),
                Arguments.of("user:alice", null, false),
                Arguments.of("alice", alice, true),
                Arguments.of("alice", bob, false),
                Arguments.of("alice", null, false),
                Arguments.of("group:dev", alice, true),   // from the config's groups section
                Arguments.of("group:dev", bob, false),
                Arguments.of("group:dev", null, false),
                Arguments.of("group:ops", carol, true),   // from the principal
                Arguments.of("group:ops", alice, false),
                Arguments.of("group:dev", carol, false),
                Arguments.of("dev", alice, false));       // a plain name is a user, never a group
    }

    @ParameterizedTest(name = "who {0} / caller {1} -> {2}")
    @MethodSource("whoCases")
    void whoMatchesAsDocumented(String who, Principal caller, boolean expected) {
        AccessRules r = AccessRules.parse(Map.of(
                "groups", Map.of("dev", List.of("alice")),
                "rules", List.of(rule("**", List.of(who), List.of("pull")))));
        assertThat(r.permits(caller, repo("x/y"), PULL)).isEqualTo(expected);
    }

    @Test
    void groupsFromConfigAndFromThePrincipalAddUp() {
        AccessRules r = AccessRules.parse(Map.of(
                "groups", Map.of("dev", List.of("alice"), "ops", "bob"),
                "rules", List.of(
                        rule("dev/**", "group:dev", List.of("pull", "push")),
                        rule("ops/**", "group:ops", List.of("pull", "push", "delete")))));
        Principal alice = user("alice", "ops");
        assertThat(r.allowed(alice, repo("dev/a"))).containsExactlyInAnyOrder(PULL, PUSH);
        assertThat(r.allowed(alice, repo("ops/a"))).containsExactlyInAnyOrder(PULL, PUSH, DELETE);
        assertThat(r.allowed(user("bob"), repo("ops/a"))).containsExactlyInAnyOrder(PULL, PUSH, DELETE);
        assertThat(r.allowed(user("bob"), repo("dev/a"))).isEmpty();
    }

    @Test
    void aUserNamedLikeAKeywordOrAPrefixedEntryGetsNothingFromIt() {
        AccessRules r = rules(
                rule("kw/**", List.of("authenticated", "anonymous"), "pull"),
                rule("g/**", "group:dev", "pull"),
                rule("u/**", "user:alice", "pull"));
        // "group:dev" and "user:alice" are entries of their kind, not plain user names.
        assertThat(r.permits(user("group:dev"), repo("g/x"), PULL)).isFalse();
        assertThat(r.permits(user("user:alice"), repo("u/x"), PULL)).isFalse();
        assertThat(r.permits(user("alice"), repo("u/x"), PULL)).isTrue();
        // An authenticated user named "anonymous" is authenticated, not anonymous.
        assertThat(rules(rule("**", "anonymous", "pull")).permits(user("anonymous"), repo("a"), PULL)).isFalse();
    }

    // ------------------------------------------------------------------ evaluation

    @Test
    void allowedIsTheUnionOfEveryMatchingRuleAndDefaultDeny() {
        AccessRules r = rules(
                rule("**", "everyone", "pull"),
                rule("team/**", "alice", "push"),
                rule(List.of("team/app", "other/*"), "alice", "delete"));
        assertThat(r.allowed(user("alice"), repo("team/app"))).containsExactlyInAnyOrder(PULL, PUSH, DELETE);
        assertThat(r.allowed(user("alice"), repo("team/lib"))).containsExactlyInAnyOrder(PULL, PUSH);
        assertThat(r.allowed(user("alice"), repo("other/x"))).containsExactlyInAnyOrder(PULL, DELETE);
        assertThat(r.allowed(user("bob"), repo("team/app"))).containsExactly(PULL);
        assertThat(r.allowed(null, repo("team/app"))).containsExactly(PULL);
        assertThat(rules().allowed(user("alice"), repo("a"))).isEmpty();
        assertThat(rules(rule("a", "alice", "pull")).allowed(user("alice"), repo("b"))).isEmpty();
    }

    /** Property: the order of the rules never changes a decision (seeded shuffles, reproducible). */
    @Test
    void theOrderOfRulesDoesNotMatter() {
        List<Map<String, Object>> list = new ArrayList<>(List.of(
                rule("**", "everyone", "pull"),
                rule("team/**", "group:dev", List.of("push", "delete")),
                rule("${user}/**", "authenticated", List.of("pull", "push")),
                rule("secret/*", "admin", "delete"),
                rule("a?/**", "anonymous", "push")));
        List<Principal> callers = new ArrayList<>(List.of(user("alice"), user("admin"), user("bob", "dev")));
        callers.add(null);
        List<RepositoryName> repos = Stream.of("team", "team/x", "alice/y", "bob", "secret/s", "ab/c", "x")
                .map(RepositoryName::parse).toList();
        AccessRules reference = AccessRules.parse(Map.of("rules", list));
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            Collections.shuffle(list, random);
            AccessRules shuffled = AccessRules.parse(Map.of("rules", list));
            for (Principal p : callers) {
                for (RepositoryName n : repos) {
                    assertThat(shuffled.allowed(p, n)).as("%s on %s, order %s", p, n, list)
                            .isEqualTo(reference.allowed(p, n));
                }
            }
        }
    }

    @Test
    void actionsAreCaseInsensitiveInTheConfig() {
        AccessRules r = rules(rule("**", "everyone", List.of("PULL", "Push")));
        assertThat(r.allowed(null, repo("a"))).isEqualTo(EnumSet.of(PULL, PUSH));
    }

    @Test
    void theCatalogIsListableByAnonymousOnlyWhenSomeRuleLetsThemPull() {
        assertThat(rules(rule("public/**", "anonymous", "pull")).permitsCatalog(null)).isTrue();
        assertThat(rules(rule("public/**", "everyone", "pull")).permitsCatalog(null)).isTrue();
        assertThat(rules(rule("public/**", "everyone", "push")).permitsCatalog(null)).isFalse();
        assertThat(rules(rule("**", "authenticated", "pull")).permitsCatalog(null)).isFalse();
        assertThat(rules().permitsCatalog(null)).isFalse();
        assertThat(rules().permitsCatalog(user("alice"))).isTrue();
        // A rule that mixes a personal pattern with a fixed one still lets anonymous callers pull the fixed one.
        AccessRules mixed = rules(rule(List.of("${user}/**", "public/**"), "everyone", "pull"));
        assertThat(mixed.permits(null, repo("public/a"), PULL)).isTrue();
        assertThat(mixed.permitsCatalog(null)).isTrue();
    }

    @Test
    void isThreadSafeUnderConcurrentCalls() throws Exception {
        AccessRules r = AccessRules.parse(Map.of("groups", Map.of("dev", List.of("alice")), "rules", List.of(
                rule("team/**", "group:dev", List.of("pull", "push")),
                rule("${user}/**", "authenticated", List.of("pull", "push", "delete")))));
        var pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 5000; i++) {
                        String name = "u" + random.nextInt(50);
                        if (!r.permits(user(name), repo(name + "/x"), DELETE)
                                || r.permits(user(name), repo("team/x"), PUSH)
                                || !r.permits(user("alice"), repo("team/x"), PUSH)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (var f : futures) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ parse errors

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of(Map.of(), "access.rules"),
                Arguments.of(Map.of("rules", "x"), "access.rules"),
                Arguments.of(Map.of("rules", List.of(), "extra", 1), "access.extra"),
                Arguments.of(Map.of("groups", List.of("a"), "rules", List.of()), "access.groups"),
                Arguments.of(Map.of("groups", Map.of("dev", List.of(1)), "rules", List.of()), "access.groups.dev"),
                Arguments.of(Map.of("rules", List.of("not a map")), "access.rules[0]"),
                Arguments.of(Map.of("rules", List.of(rule("a", "b", "pull"), rule("a", "b", "fly"))),
                        "access.rules[1].allow"),
                Arguments.of(Map.of("rules", List.of(rule("a", "b", "pull"), rule("a", "b", List.of(3)))),
                        "access.rules[1].allow"),
                Arguments.of(Map.of("rules", List.of(rule("a", "b", "pull"), rule("a", "b", null))),
                        "access.rules[1].allow"),
                Arguments.of(Map.of("rules", List.of(rule(null, "b", "pull"))), "access.rules[0].repositories"),
                Arguments.of(Map.of("rules", List.of(rule("", "b", "pull"))), "access.rules[0].repositories"),
                Arguments.of(Map.of("rules", List.of(rule("a", Map.of(), "pull"))), "access.rules[0].who"),
                Arguments.of(Map.of("rules", List.of(rule("a", "group:", "pull"))), "access.rules[0].who"),
                Arguments.of(Map.of("rules", List.of(rule("a", "user:", "pull"))), "access.rules[0].who"),
                Arguments.of(Map.of("rules", List.of(rule("a", " ", "pull"))), "access.rules[0].who"),
                Arguments.of(Map.of("rules", List.of(Map.of("repositories", "a", "who", "b", "allow", "pull",
                        "deny", "push"))), "access.rules[0].deny"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badConfigs")
    void parseErrorsNameTheKey(Map<String, ?> section, String key) {
        assertThatThrownBy(() -> AccessRules.parse(section)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(key + ":");
    }

    @Test
    void singleStringsAreAcceptedWhereListsAre() {
        AccessRules r = AccessRules.parse(Map.of("groups", Map.of("dev", "alice"),
                "rules", List.of(rule("team/**", "group:dev", "push"))));
        assertThat(r.allowed(user("alice"), repo("team/a"))).containsExactly(PUSH);
    }

    @Test
    void noActionIsEverImpliedByAnother() {
        AccessRules r = rules(rule("**", "everyone", "delete"));
        for (Action a : EnumSet.of(PULL, PUSH)) {
            assertThat(r.permits(user("x"), repo("a"), a)).isFalse();
        }
    }
}
