package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract an {@link AccessController} passes. The kit describes one fixed policy as a {@link Policy}; a subclass
 * configures its controller to enforce it, and the kit checks the controller's decisions against the policy's
 * meaning:
 *
 * <pre>{@code
 * class MyControllerTest extends AccessControllerKit {
 *     @Override protected AccessController controllerFor(Policy policy) {
 *         return MyController.fromConfig(...policy.publicNamespace()..., ...policy.developer()...);
 *     }
 * }
 * }</pre>
 *
 * <p><b>The policy</b> ({@link Policy#STANDARD}: {@code public}, {@code team}, group {@code dev}, user
 * {@code alice}, user {@code admin}):
 * <ol>
 *   <li>everyone, anonymous callers included, may pull the public namespace: the repository {@code public} and every
 *       repository below {@code public/} (the glob {@code public/**});</li>
 *   <li>members of the developer group may pull and push (not delete) the team namespace ({@code team/**}). The user
 *       {@code alice} is a member by the controller's own configuration; any other principal is a member when its
 *       authenticator reports the group in {@link Principal#groups()};</li>
 *   <li>the user {@code admin} may pull, push and delete every repository;</li>
 *   <li>nobody may do anything else (default deny).</li>
 * </ol>
 * A namespace is a whole path component: {@code publicity} and {@code teams/app} are outside. Users and groups are
 * distinct: a user whose name is the group's name is not a member; user names are case-sensitive. Every caller may list the catalog (everyone may
 * pull somewhere), and what it lists is what the caller may pull.
 *
 * <p>The kit also checks what the SPI asks of every controller: a null principal (an anonymous caller) never makes
 * it throw, decisions do not depend on the {@link Principal} instance or on earlier calls, and concurrent calls from
 * many threads give the same answers as single-threaded ones. A bearer token's grants are the registry's concern,
 * not the controller's, so the kit gives principals without tokens.
 *
 * <p>{@link #controllerFor(Policy)} is called before each test. The kit is deterministic (seeded generators) and
 * takes well under a second for a fast controller.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class AccessControllerKit {

    /**
     * The policy the kit checks, by the names it uses; see the class comment for what it means.
     *
     * @param publicNamespace everyone may pull this repository and those below it
     * @param teamNamespace   members of {@code developerGroup} may pull and push here
     * @param developerGroup  the group of developers
     * @param developer       a user the controller's configuration puts in {@code developerGroup}
     * @param admin           a user who may do everything everywhere
     */
    public record Policy(String publicNamespace, String teamNamespace, String developerGroup, String developer,
            String admin) {
        public static final Policy STANDARD = new Policy("public", "team", "dev", "alice", "admin");

        public Policy {
            Objects.requireNonNull(publicNamespace, "publicNamespace");
            Objects.requireNonNull(teamNamespace, "teamNamespace");
            Objects.requireNonNull(developerGroup, "developerGroup");
            Objects.requireNonNull(developer, "developer");
            Objects.requireNonNull(admin, "admin");
        }

        /** The glob of the public namespace in the usual syntax, {@code public/**}. */
        public String publicGlob() {
            return publicNamespace + "/**";
        }

        /** The glob of the team namespace, {@code team/**}. */
        public String teamGlob() {
            return teamNamespace + "/**";
        }

        /** What the policy lets {@code principal} (null: anonymous) do on {@code repository}: the kit's oracle. */
        public Set<Action> allowed(Principal principal, RepositoryName repository) {
            Set<Action> out = EnumSet.noneOf(Action.class);
            if (within(publicNamespace, repository)) {
                out.add(Action.PULL);
            }
            if (principal == null) {
                return out;
            }
            if (principal.name().equals(admin)) {
                return EnumSet.allOf(Action.class);
            }
            boolean developerMember = principal.name().equals(developer)
                    || principal.groups().contains(developerGroup);
            if (developerMember && within(teamNamespace, repository)) {
                out.add(Action.PULL);
                out.add(Action.PUSH);
            }
            return out;
        }

        private static boolean within(String namespace, RepositoryName repository) {
            return repository.value().equals(namespace) || repository.value().startsWith(namespace + "/");
        }
    }

    private AccessController controller;
    private Policy policy;

    /** A controller that enforces {@code policy} (always {@link Policy#STANDARD}). Called before each test. */
    protected abstract AccessController controllerFor(Policy policy) throws Exception;

    /** The controller under test. */
    protected final AccessController controller() {
        return controller;
    }

    protected final Policy policy() {
        return policy;
    }

    @BeforeEach
    protected final void createControllerUnderTest() throws Exception {
        policy = Policy.STANDARD;
        controller = controllerFor(policy);
        assertThat(controller).as("controllerFor(policy)").isNotNull();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the callers and repositories the kit asks about

    /** Authenticated callers, each with what it stands for (for messages). */
    protected final List<Principal> authenticatedCallers() {
        return List.of(
                user(policy.developer()),
                new Principal("carol", Set.of(policy.developerGroup()), Optional.empty()),
                new Principal(policy.developer(), Set.of("ops"), Optional.empty()),
                user(policy.admin()),
                user("mallory"),
                new Principal("mallory", Set.of("ops", "qa"), Optional.empty()),
                user(policy.developerGroup()),      // a user named like the group is not in it
                user(policy.developer() + "2"),     // nor is one whose name extends the developer's
                user(policy.admin() + "s"),
                user("anonymous"),                  // authenticated, whatever the name says
                user("everyone"));
    }

    /** Every caller: anonymous (null) first, then {@link #authenticatedCallers()}. */
    protected final List<Principal> callers() {
        List<Principal> all = new ArrayList<>();
        all.add(null);
        all.addAll(authenticatedCallers());
        return all;
    }

    /** Repositories inside, at the edge of and just outside both namespaces. */
    protected final List<RepositoryName> repositories() {
        String pub = policy.publicNamespace();
        String team = policy.teamNamespace();
        return List.of(pub, pub + "/a", pub + "/a/b/c", pub + "ity", pub + "s/a", pub + "-x/a", "other/" + pub,
                team, team + "/app", team + "/app/x", team + "s/app", team + "x", team + "_a/b", "x/" + team + "/app",
                policy.admin() + "/x", policy.developer() + "/x", policy.developerGroup() + "/x", "library/alpine")
                .stream().map(RepositoryName::parse).toList();
    }

    private static Principal user(String name) {
        return Principal.user(name);
    }

    private static String who(Principal p) {
        return p == null ? "anonymous caller" : p.groups().isEmpty() ? "user " + p.name()
                : "user " + p.name() + " (groups " + p.groups() + ")";
    }

    /** Asks the controller about every caller, repository and action; fails listing every wrong decision. */
    private void assertDecisions(List<Principal> callers, List<RepositoryName> repos) {
        SoftAssertions softly = new SoftAssertions();
        for (Principal p : callers) {
            for (RepositoryName r : repos) {
                Set<Action> expected = policy.allowed(p, r);
                for (Action a : Action.values()) {
                    softly.assertThat(controller.permits(p, r, a))
                            .as("%s may %s %s", who(p), a.word(), r).isEqualTo(expected.contains(a));
                }
            }
        }
        softly.assertAll();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // decisions

    @Test
    public void anonymousCallersMayOnlyPullThePublicNamespace() {
        assertDecisions(Collections.singletonList(null), repositories());
    }

    @Test
    public void theDeveloperMayPullAndPushTheTeamNamespaceButNotDelete() {
        RepositoryName app = RepositoryName.parse(policy.teamNamespace() + "/app");
        Principal dev = user(policy.developer());
        assertThat(controller.permits(dev, app, Action.PULL)).as("%s may pull %s", who(dev), app).isTrue();
        assertThat(controller.permits(dev, app, Action.PUSH)).as("%s may push %s", who(dev), app).isTrue();
        assertThat(controller.permits(dev, app, Action.DELETE)).as("%s may delete %s", who(dev), app).isFalse();
        assertDecisions(List.of(dev, new Principal(policy.developer(), Set.of("ops"), Optional.empty())),
                repositories());
    }

    @Test
    public void aGroupReportedByTheAuthenticatorMakesAMember() {
        assertDecisions(List.of(new Principal("carol", Set.of(policy.developerGroup()), Optional.empty()),
                new Principal("dave", Set.of("ops", policy.developerGroup()), Optional.empty())), repositories());
    }

    @Test
    public void theAdminMayDoEverythingEverywhere() {
        assertDecisions(List.of(user(policy.admin())), repositories());
    }

    @Test
    public void otherUsersMayOnlyPullThePublicNamespace() {
        assertDecisions(List.of(user("mallory"), new Principal("mallory", Set.of("ops", "qa"), Optional.empty()),
                user("anonymous"), user("everyone")), repositories());
    }

    @Test
    public void namesThatLookLikeAMemberOrTheAdminGetNothingFromIt() {
        assertDecisions(List.of(user(policy.developerGroup()), user(policy.developer() + "2"),
                user(policy.admin() + "s"), user(policy.developer().toUpperCase(Locale.ROOT))),
                repositories());
    }

    @Test
    public void namespacesAreWholePathComponents() {
        List<RepositoryName> edges = repositories().stream()
                .filter(r -> !r.value().equals(policy.publicNamespace()) && !r.value().equals(policy.teamNamespace())
                        && !r.value().startsWith(policy.publicNamespace() + "/")
                        && !r.value().startsWith(policy.teamNamespace() + "/"))
                .toList();
        assertThat(edges).isNotEmpty();
        for (RepositoryName r : edges) {
            assertThat(controller.permits(null, r, Action.PULL)).as("anonymous caller may pull %s", r).isFalse();
            assertThat(controller.permits(user(policy.developer()), r, Action.PUSH))
                    .as("%s may push %s", policy.developer(), r).isFalse();
        }
        assertDecisions(callers(), edges);
    }

    @Test
    public void everyDecisionOfEveryCallerFollowsThePolicy() {
        assertDecisions(callers(), repositories());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // null principal, catalog

    @Test
    public void aNullPrincipalNeverThrows() {
        for (RepositoryName r : repositories()) {
            for (Action a : Action.values()) {
                try {
                    controller.permits(null, r, a);
                } catch (RuntimeException e) {
                    throw new AssertionError("permits(null, " + r + ", " + a + ") threw " + e, e);
                }
            }
        }
        try {
            controller.permitsCatalog(null);
        } catch (RuntimeException e) {
            throw new AssertionError("permitsCatalog(null) threw " + e, e);
        }
    }

    @Test
    public void everyCallerMayListTheCatalog() {
        SoftAssertions softly = new SoftAssertions();
        for (Principal p : callers()) {
            softly.assertThat(controller.permitsCatalog(p)).as("%s may list the catalog", who(p)).isTrue();
        }
        softly.assertAll();
    }

    @Test
    public void theCatalogShowsEachCallerWhatItMayPull() {
        for (Principal p : callers()) {
            // What the registry does: list the repositories for which permits(p, name, PULL) holds.
            List<String> listed = repositories().stream().filter(r -> controller.permits(p, r, Action.PULL))
                    .map(RepositoryName::value).toList();
            List<String> expected = repositories().stream()
                    .filter(r -> policy.allowed(p, r).contains(Action.PULL)).map(RepositoryName::value).toList();
            assertThat(listed).as("catalog of %s", who(p)).containsExactlyElementsOf(expected);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // determinism and thread-safety

    @Test
    public void decisionsDependOnNeitherThePrincipalInstanceNorEarlierCalls() {
        Random random = new Random(7);
        List<Principal> callers = callers();
        List<RepositoryName> repos = repositories();
        for (int i = 0; i < 5_000; i++) {
            Principal original = callers.get(random.nextInt(callers.size()));
            // An equal principal built anew, as each request builds one.
            Principal p = original == null ? null
                    : new Principal(new String(original.name().toCharArray()), Set.copyOf(original.groups()),
                            Optional.empty());
            RepositoryName r = RepositoryName.parse(new String(repos.get(random.nextInt(repos.size())).value()
                    .toCharArray()));
            Action a = Action.values()[random.nextInt(Action.values().length)];
            assertThat(controller.permits(p, r, a)).as("call %d: %s may %s %s", i, who(p), a.word(), r)
                    .isEqualTo(policy.allowed(p, r).contains(a));
        }
    }

    @Test
    public void concurrentCallsGiveTheSameAnswersAsSequentialOnes() throws Exception {
        int threads = Math.max(8, Runtime.getRuntime().availableProcessors() * 2);
        int callsPerThread = 20_000;
        List<Principal> callers = callers();
        List<RepositoryName> repos = repositories();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 1000 + t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < callsPerThread; i++) {
                        Principal p = callers.get(random.nextInt(callers.size()));
                        RepositoryName r = repos.get(random.nextInt(repos.size()));
                        if (random.nextInt(16) == 0) {
                            if (!controller.permitsCatalog(p)) {
                                return "permitsCatalog(" + who(p) + ") was false";
                            }
                            continue;
                        }
                        Action a = Action.values()[random.nextInt(Action.values().length)];
                        boolean expected = policy.allowed(p, r).contains(a);
                        boolean actual;
                        try {
                            actual = controller.permits(p, r, a);
                        } catch (RuntimeException e) {
                            return "permits(" + who(p) + ", " + r + ", " + a + ") threw " + e;
                        }
                        if (actual != expected) {
                            return "under concurrency, " + who(p) + " may " + a.word() + " " + r + " was " + actual
                                    + ", expected " + expected;
                        }
                    }
                    return null;
                }));
            }
            List<String> problems = new ArrayList<>();
            for (Future<String> f : results) {
                String problem = f.get(90, TimeUnit.SECONDS);
                if (problem != null) {
                    problems.add(problem);
                }
            }
            assertThat(problems).as("wrong answers from concurrent calls").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs on every request: 100,000 decisions must take well under the test's timeout (seconds, not minutes). */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    public void decisionsAreCheap() {
        List<Principal> callers = callers();
        List<RepositoryName> repos = repositories();
        int allowed = 0;
        for (int i = 0; i < 100_000; i++) {
            if (controller.permits(callers.get(i % callers.size()), repos.get((i / 7) % repos.size()),
                    Action.values()[i % 3])) {
                allowed++;
            }
        }
        assertThat(allowed).isPositive();
    }
}
