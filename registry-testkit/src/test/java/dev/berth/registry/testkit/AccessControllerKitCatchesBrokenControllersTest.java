package dev.berth.registry.testkit;

import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Principal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The access-controller kit fails controllers with the bugs such controllers have: each one here is a hand-written
 * enforcement of the kit's policy with one mistake, and the named test must fail on it while a faithful version
 * passes it.
 */
class AccessControllerKitCatchesBrokenControllersTest {

    static Stream<Arguments> brokenControllers() {
        return Stream.of(
                Arguments.of(AllowsEverything.class, "anonymousCallersMayOnlyPullThePublicNamespace"),
                Arguments.of(MatchesNamePrefixes.class, "namespacesAreWholePathComponents"),
                Arguments.of(IgnoresReportedGroups.class, "aGroupReportedByTheAuthenticatorMakesAMember"),
                Arguments.of(LetsDevelopersDelete.class, "theDeveloperMayPullAndPushTheTeamNamespaceButNotDelete"),
                Arguments.of(TreatsTheGroupNameAsAUser.class, "namesThatLookLikeAMemberOrTheAdminGetNothingFromIt"),
                Arguments.of(ThrowsOnNull.class, "aNullPrincipalNeverThrows"),
                Arguments.of(ThrowsOnNull.class, "anonymousCallersMayOnlyPullThePublicNamespace"),
                Arguments.of(NoCatalogForAnonymous.class, "everyCallerMayListTheCatalog"),
                Arguments.of(AdminOnlyInTheTeam.class, "theAdminMayDoEverythingEverywhere"),
                Arguments.of(RemembersTheFirstAnswer.class, "decisionsDependOnNeitherThePrincipalInstanceNorEarlierCalls"),
                Arguments.of(SharesAScratchBuffer.class, "concurrentCallsGiveTheSameAnswersAsSequentialOnes"));
    }

    static Stream<String> testsUsed() {
        return brokenControllers().map(a -> (String) a.get()[1]).distinct();
    }

    @ParameterizedTest(name = "{0} fails {1}")
    @MethodSource("brokenControllers")
    void theContractFailsABrokenController(Class<? extends AccessControllerKit> broken, String test) {
        KitRun.assertFails(broken, test);
    }

    @ParameterizedTest(name = "a faithful controller passes {0}")
    @MethodSource("testsUsed")
    void theSameTestPassesTheFaithfulController(String test) {
        KitRun.assertPasses(Faithful.class, test);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the controllers; nested, so that surefire does not run them on its own

    /** The policy by hand, correctly; subclasses break one thing. */
    static class Correct implements AccessController {
        final AccessControllerKit.Policy policy = AccessControllerKit.Policy.STANDARD;

        boolean within(String namespace, RepositoryName r) {
            return r.value().equals(namespace) || r.value().startsWith(namespace + "/");
        }

        boolean member(Principal p) {
            return p.name().equals(policy.developer()) || p.groups().contains(policy.developerGroup());
        }

        boolean developersMay(Action a) {
            return a != Action.DELETE;
        }

        boolean admin(Principal p, RepositoryName r) {
            return p.name().equals(policy.admin());
        }

        @Override
        public boolean permits(Principal p, RepositoryName r, Action a) {
            if (a == Action.PULL && within(policy.publicNamespace(), r)) {
                return true;
            }
            if (p == null) {
                return false;
            }
            return admin(p, r) || member(p) && developersMay(a) && within(policy.teamNamespace(), r);
        }

        @Override
        public boolean permitsCatalog(Principal principal) {
            return true;
        }
    }

    abstract static class Kit extends AccessControllerKit {
        abstract AccessController controller(AccessControllerKit.Policy policy);

        @Override
        protected AccessController controllerFor(AccessControllerKit.Policy policy) {
            return controller(policy);
        }
    }

    static class Faithful extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct();
        }
    }

    static class AllowsEverything extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return AccessController.ALLOW_ALL;
        }
    }

    static class MatchesNamePrefixes extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct() {
                @Override
                boolean within(String namespace, RepositoryName r) {
                    return r.value().startsWith(namespace); // team matches teams/app too
                }
            };
        }
    }

    static class IgnoresReportedGroups extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct() {
                @Override
                boolean member(Principal p) {
                    return p.name().equals(policy.developer());
                }
            };
        }
    }

    static class LetsDevelopersDelete extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct() {
                @Override
                boolean developersMay(Action a) {
                    return true;
                }
            };
        }
    }

    static class TreatsTheGroupNameAsAUser extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct() {
                @Override
                boolean member(Principal p) {
                    return super.member(p) || p.name().equals(policy.developerGroup());
                }
            };
        }
    }

    static class ThrowsOnNull extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            Correct correct = new Correct();
            return (p, r, a) -> !p.name().isEmpty() && correct.permits(p, r, a); // NPE for anonymous callers
        }
    }

    static class NoCatalogForAnonymous extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct() {
                @Override
                public boolean permitsCatalog(Principal principal) {
                    return principal != null;
                }
            };
        }
    }

    static class AdminOnlyInTheTeam extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            return new Correct() {
                @Override
                boolean admin(Principal p, RepositoryName r) {
                    return super.admin(p, r) && within(policy.teamNamespace(), r);
                }
            };
        }
    }

    /** Caches by repository and action only, so the first caller's answer is everyone's. */
    static class RemembersTheFirstAnswer extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            Correct correct = new Correct();
            Map<String, Boolean> cache = new ConcurrentHashMap<>();
            return (p, r, a) -> cache.computeIfAbsent(r + " " + a, k -> correct.permits(p, r, a));
        }
    }

    /**
     * Builds its lookup key in one buffer shared by all threads: right when called from one thread, wrong (or
     * throwing) when calls overlap. The yield widens the window, so that even two cores interleave reliably.
     */
    static class SharesAScratchBuffer extends Kit {
        @Override
        AccessController controller(AccessControllerKit.Policy policy) {
            Correct correct = new Correct();
            StringBuilder scratch = new StringBuilder();
            return (p, r, a) -> {
                scratch.setLength(0);
                scratch.append(r.value());
                Thread.yield();
                String name = scratch.toString();
                return RepositoryName.isValid(name) && correct.permits(p, RepositoryName.parse(name), a);
            };
        }
    }
}
