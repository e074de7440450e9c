package dev.berth.registry.auth;

import static dev.berth.registry.spi.auth.Action.DELETE;
import static dev.berth.registry.spi.auth.Action.PULL;
import static dev.berth.registry.spi.auth.Action.PUSH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link AccessGuard}: 401 with the challenge versus 403, tokens as a ceiling, the catalog, rejected credentials. */
class AccessGuardTest {
    static final RepositoryName APP = RepositoryName.parse("app/x");
    static final RepositoryName PUBLIC = RepositoryName.parse("public/y");
    static final RepositoryName SECRET = RepositoryName.parse("secret/z");

    /** Takes {@code Authorization: Test <user>}; {@code Test bad} is rejected. Challenges name the scopes. */
    static final class TestAuthenticator implements Authenticator {
        @Override
        public Authentication authenticate(AuthRequest request) {
            Optional<String> h = request.header("Authorization");
            if (h.isEmpty()) {
                return Authentication.ANONYMOUS;
            }
            if (!h.get().startsWith("Test ") || h.get().equals("Test bad")) {
                return Authentication.rejected("bad test credentials");
            }
            return Authentication.authenticated(Principal.user(h.get().substring(5)));
        }

        @Override
        public String challenge(List<Scope> wanted) {
            return "Bearer realm=\"https://auth.example/token\",service=\"berth\""
                    + (wanted.isEmpty() ? "" : ",scope=\"" + wanted.stream().map(Scope::toString)
                            .collect(Collectors.joining(" ")) + "\"");
        }
    }

    static final TestAuthenticator AUTH = new TestAuthenticator();

    /** anonymous may pull public/**; alice may pull+push+delete app/**; bob may pull app/**. */
    static final AccessRules RULES = AccessRules.parse(Map.of("rules", List.of(
            rule("public/**", "everyone", List.of("pull")),
            rule("app/**", "alice", List.of("pull", "push", "delete")),
            rule("app/**", "bob", List.of("pull")))));

    static Map<String, Object> rule(String repos, String who, List<String> allow) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("repositories", repos);
        r.put("who", who);
        r.put("allow", allow);
        return r;
    }

    final AccessGuard guard = new AccessGuard(AUTH, RULES);

    static Optional<Principal> anonymous() {
        return Optional.empty();
    }

    static Optional<Principal> user(String name) {
        return Optional.of(Principal.user(name));
    }

    static Optional<Principal> token(String name, String... scopes) {
        return Optional.of(Principal.withToken(name, List.of(scopes).stream().map(Scope::parse).toList()));
    }

    static AuthRequest request(String authorization) {
        return AuthRequest.of(authorization == null ? Map.of() : Map.of("Authorization", authorization),
                "192.0.2.1");
    }

    // ------------------------------------------------------------------ identify

    @Test
    void identifyTellsAnonymousFromAuthenticatedAndRejectsBadCredentialsWith401() {
        assertThat(guard.identify(request(null))).isEmpty();
        assertThat(guard.identify(request("Test alice"))).contains(Principal.user("alice"));
        AuthenticationRequiredException e = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.identify(request("Test bad")));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(e.challenge()).isEqualTo(AUTH.challenge(List.of()));
        assertThat(e.detail()).contains("bad test credentials");
    }

    @Test
    void rejectedCredentialsAre401EvenWhereAnonymousCallersMayRead() {
        assertThat(guard.permits(anonymous(), PUBLIC, PULL)).isTrue();
        assertThatThrownBy(() -> guard.identify(request("Basic Zm9vOmJhcg==")))
                .isInstanceOf(AuthenticationRequiredException.class);
        // Even with a controller that allows everything, rejected credentials are refused.
        AccessGuard open = new AccessGuard(AUTH, AccessController.ALLOW_ALL);
        assertThatThrownBy(() -> open.identify(request("Test bad")))
                .isInstanceOf(AuthenticationRequiredException.class);
    }

    // ------------------------------------------------------------------ base

    @Test
    void baseAsksAnonymousCallersToLogInWhenCredentialsAreTaken() {
        AuthenticationRequiredException e = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.requireBase(anonymous()));
        assertThat(e.challenge()).isEqualTo(AUTH.challenge(List.of())).doesNotContain("scope=");
        assertThatCode(() -> guard.requireBase(user("nobody"))).doesNotThrowAnyException();
    }

    @Test
    void baseWithTheAnonymousAuthenticatorIsOpen() {
        assertThatCode(() -> AccessGuard.OPEN.requireBase(anonymous())).doesNotThrowAnyException();
        assertThatCode(() -> new AccessGuard(Authenticator.ANONYMOUS, RULES).requireBase(anonymous()))
                .doesNotThrowAnyException();
        assertThatCode(() -> AccessGuard.of(Authenticator.ANONYMOUS).requireBase(anonymous()))
                .doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------ require

    @Test
    void anonymousCallersGet401WithAChallengeForTheScope() {
        AuthenticationRequiredException pull = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.require(anonymous(), APP, PULL));
        assertThat(pull.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(pull.challenge()).isEqualTo(AUTH.challenge(List.of(Scope.parse("repository:app/x:pull"))));
    }

    @Test
    void aPushChallengeAsksForPullAndPushAsDockerDoes() {
        AuthenticationRequiredException push = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.require(anonymous(), APP, EnumSet.of(PUSH), EnumSet.of(PULL, PUSH)));
        assertThat(push.challenge()).endsWith("scope=\"repository:app/x:pull,push\"");
        // Anonymous callers may pull public/y, yet a push there still asks for pull,push.
        AuthenticationRequiredException publicPush = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.require(anonymous(), PUBLIC, EnumSet.of(PUSH), EnumSet.of(PULL, PUSH)));
        assertThat(publicPush.challenge()).endsWith("scope=\"repository:public/y:pull,push\"");
        AuthenticationRequiredException delete = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.require(anonymous(), APP, DELETE));
        assertThat(delete.challenge()).endsWith("scope=\"repository:app/x:delete\"");
    }

    @Test
    void anonymousCallersMayDoWhatTheRulesLetThem() {
        assertThatCode(() -> guard.require(anonymous(), PUBLIC, PULL)).doesNotThrowAnyException();
    }

    @Test
    void authenticatedCallersWhomTheRulesRefuseAreDenied() {
        assertThatCode(() -> guard.require(user("bob"), APP, PULL)).doesNotThrowAnyException();
        RegistryException push = catchThrowableOfType(RegistryException.class,
                () -> guard.require(user("bob"), APP, EnumSet.of(PUSH), EnumSet.of(PULL, PUSH)));
        assertThat(push).isNotInstanceOf(AuthenticationRequiredException.class);
        assertThat(push.code()).isEqualTo(ErrorCode.DENIED);
        assertThat(push.code().httpStatus()).isEqualTo(403);
        assertThat(push.detail()).contains("repository:app/x:push").contains("bob");
        RegistryException secret = catchThrowableOfType(RegistryException.class,
                () -> guard.require(user("alice"), SECRET, PULL));
        assertThat(secret.code()).isEqualTo(ErrorCode.DENIED);
        assertThatCode(() -> guard.require(user("alice"), APP, EnumSet.of(PULL, PUSH, DELETE), EnumSet.of(PULL)))
                .doesNotThrowAnyException();
    }

    @Test
    void withTheAnonymousAuthenticatorARefusalIsDeniedNotAChallengeNoOneCouldAnswer() {
        AccessGuard noAuth = new AccessGuard(Authenticator.ANONYMOUS, RULES);
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> noAuth.require(anonymous(), APP, PULL));
        assertThat(e).isNotInstanceOf(AuthenticationRequiredException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
    }

    @Test
    void aTokenLackingAGrantTheRulesWouldAllowIsAskedToReauthenticate() {
        // alice's token only grants pull; the rules would let her push: 401, so docker fetches a better token.
        Optional<Principal> alice = token("alice", "repository:app/x:pull");
        assertThatCode(() -> guard.require(alice, APP, PULL)).doesNotThrowAnyException();
        AuthenticationRequiredException e = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.require(alice, APP, EnumSet.of(PUSH), EnumSet.of(PULL, PUSH)));
        assertThat(e.challenge()).endsWith("scope=\"repository:app/x:pull,push\"");
        assertThat(guard.permits(alice, APP, PUSH)).isFalse();
        // A token for another repository does not carry over.
        assertThatThrownBy(() -> guard.require(token("alice", "repository:app/other:*"), APP, PULL))
                .isInstanceOf(AuthenticationRequiredException.class);
    }

    @Test
    void aTokenGrantTheRulesRefuseIsDenied() {
        // bob's token grants push, but the rules do not let bob push: 403, another token would not help.
        Optional<Principal> bob = token("bob", "repository:app/x:pull,push");
        assertThatCode(() -> guard.require(bob, APP, PULL)).doesNotThrowAnyException();
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> guard.require(bob, APP, EnumSet.of(PUSH), EnumSet.of(PULL, PUSH)));
        assertThat(e).isNotInstanceOf(AuthenticationRequiredException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
        // Nor would one that lacks the grant: the rules refuse anyway.
        RegistryException lacking = catchThrowableOfType(RegistryException.class,
                () -> guard.require(token("bob", "repository:app/x:pull"), APP, DELETE));
        assertThat(lacking).isNotInstanceOf(AuthenticationRequiredException.class);
        assertThat(lacking.code()).isEqualTo(ErrorCode.DENIED);
    }

    @Test
    void withTheDefaultControllerATokenGetsExactlyWhatItGrants() {
        AccessGuard distribution = AccessGuard.of(AUTH);
        Optional<Principal> t = token("carol", "repository:app/x:pull");
        assertThat(distribution.permits(t, APP, PULL)).isTrue();
        assertThat(distribution.permits(t, APP, PUSH)).isFalse();
        assertThatThrownBy(() -> distribution.require(t, APP, PUSH))
                .isInstanceOf(AuthenticationRequiredException.class);
        assertThat(distribution.permits(user("carol"), SECRET, DELETE)).isTrue();
        assertThatThrownBy(() -> distribution.require(anonymous(), PUBLIC, PULL))
                .isInstanceOf(AuthenticationRequiredException.class);
    }

    @Test
    void anAnonymousTokenHolderIsAnonymousToTheRulesWhateverItsTokenGrants() {
        AccessGuard authenticatedPull = new AccessGuard(AUTH, AccessRules.parse(Map.of("rules", List.of(
                rule("public/**", "everyone", List.of("pull")), rule("**", "authenticated", List.of("pull"))))));
        Optional<Principal> anon = Optional.of(Principal.anonymousWithToken(List.of(
                Scope.parse("repository:app/x:pull"), Scope.parse("repository:public/y:pull"), Scope.CATALOG)));
        assertThat(authenticatedPull.permits(anon, PUBLIC, PULL)).isTrue();
        // The token grants app/x, but "authenticated" does not match an anonymous caller named "anonymous".
        assertThat(authenticatedPull.permits(anon, APP, PULL)).isFalse();
        AuthenticationRequiredException e = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> authenticatedPull.require(anon, APP, PULL));
        assertThat(e.challenge()).contains("repository:app/x:pull");
        assertThat(authenticatedPull.catalog(anon)).accepts(PUBLIC).rejects(APP);
        // A real user named like the placeholder is a user.
        assertThat(authenticatedPull.permits(user(Principal.ANONYMOUS_NAME), APP, PULL)).isTrue();
    }

    // ------------------------------------------------------------------ catalog

    @Test
    void anonymousCallersListOnlyWhatTheyMayPull() {
        Predicate<RepositoryName> visible = guard.catalog(anonymous());
        assertThat(visible).accepts(PUBLIC).rejects(APP, SECRET);
    }

    @Test
    void anonymousCallersWhoMayPullNothingAreAskedToLogInForTheCatalog() {
        AccessGuard closed = new AccessGuard(AUTH, AccessRules.parse(Map.of("rules",
                List.of(rule("app/**", "alice", List.of("pull"))))));
        AuthenticationRequiredException e = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> closed.catalog(anonymous()));
        assertThat(e.challenge()).endsWith("scope=\"registry:catalog:*\"");
        assertThat(closed.catalog(user("alice"))).accepts(APP).rejects(PUBLIC);
    }

    @Test
    void authenticatedCallersListWhatTheyMayPull() {
        assertThat(guard.catalog(user("alice"))).accepts(APP, PUBLIC).rejects(SECRET);
        assertThat(guard.catalog(user("bob"))).accepts(APP, PUBLIC).rejects(SECRET);
        assertThat(guard.catalog(user("nobody"))).accepts(PUBLIC).rejects(APP, SECRET);
    }

    @Test
    void aTokenWithoutTheCatalogScopeIsAskedToReauthenticate() {
        AuthenticationRequiredException e = catchThrowableOfType(AuthenticationRequiredException.class,
                () -> guard.catalog(token("alice", "repository:app/x:pull")));
        assertThat(e.challenge()).endsWith("scope=\"registry:catalog:*\"");
        assertThat(guard.catalog(token("alice", "registry:catalog:*"))).accepts(APP, PUBLIC).rejects(SECRET);
    }

    @Test
    void aControllerThatRefusesTheCatalogDeniesAuthenticatedCallersEvenWithATokenLackingTheScope() {
        AccessController noCatalog = new AccessController() {
            @Override
            public boolean permits(Principal principal, RepositoryName repository, Action a) {
                return true;
            }

            @Override
            public boolean permitsCatalog(Principal principal) {
                return false;
            }
        };
        AccessGuard g = new AccessGuard(AUTH, noCatalog);
        assertThat(catchThrowableOfType(RegistryException.class, () -> g.catalog(user("alice"))).code())
                .isEqualTo(ErrorCode.DENIED);
        assertThatThrownBy(() -> g.catalog(anonymous())).isInstanceOf(AuthenticationRequiredException.class);
        // A token lacking the catalog scope would not help: the controller refuses the catalog anyway.
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> g.catalog(token("alice", "repository:app/x:pull")));
        assertThat(e).isNotInstanceOf(AuthenticationRequiredException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
    }

    @Test
    void theOpenGuardLetsEveryoneDoEverything() {
        assertThatCode(() -> AccessGuard.OPEN.require(anonymous(), SECRET, EnumSet.of(PULL, PUSH, DELETE),
                EnumSet.of(PULL))).doesNotThrowAnyException();
        assertThat(AccessGuard.OPEN.catalog(anonymous())).accepts(SECRET);
        assertThat(AccessGuard.OPEN.identify(request("Test bad"))).isEmpty();
    }
}
