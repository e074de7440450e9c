package dev.berth.registry.auth;

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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access check every endpoint goes through: an {@link Authenticator} says who is calling, an
 * {@link AccessController} what they may do. The outcomes are the spec's: an anonymous caller who needs more gets
 * {@link ErrorCode#UNAUTHORIZED} (401) with the authenticator's challenge; an authenticated caller who is not allowed
 * gets {@link ErrorCode#DENIED} (403); bad credentials get a 401 whatever the resource.
 *
 * <p>A caller with a bearer token may do what the token grants <em>and</em> the access controller allows (with the
 * default {@link AccessController#AUTHENTICATED} that is exactly what the token grants, as in distribution).
 *
 * <pre>{@code
 * AccessGuard guard = new AccessGuard(htpasswdAuthenticator, AccessRules.parse(rulesMap));
 * new RegistryServlet(registry, options, guard);
 * }</pre>
 */
public final class AccessGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessGuard.class);

    /** No authentication and no limits: what a registry without {@code auth} does. */
    public static final AccessGuard OPEN = new AccessGuard(Authenticator.ANONYMOUS, AccessController.ALLOW_ALL);

    private final Authenticator authenticator;
    private final AccessController access;

    public AccessGuard(Authenticator authenticator, AccessController access) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.access = Objects.requireNonNull(access, "access");
    }

    /** An authenticator with distribution's rule: authenticated callers may do everything, anonymous ones nothing. */
    public static AccessGuard of(Authenticator authenticator) {
        return new AccessGuard(authenticator, authenticator.acceptsCredentials()
                ? AccessController.AUTHENTICATED : AccessController.ALLOW_ALL);
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public AccessController accessController() {
        return access;
    }

    /**
     * Who is calling: the principal, or empty for an anonymous caller.
     *
     * @throws AuthenticationRequiredException when credentials were presented and are not good
     */
    public Optional<Principal> identify(AuthRequest request) {
        Authentication a = authenticator.authenticate(request);
        if (a instanceof Authentication.Authenticated ok) {
            return Optional.of(ok.principal());
        }
        if (a instanceof Authentication.Rejected rejected) {
            LOG.debug("credentials from {} rejected: {}", request.remoteAddress(), rejected.reason());
            throw new AuthenticationRequiredException("authentication failed: " + rejected.reason(),
                    authenticator.challenge(List.of()));
        }
        return Optional.empty();
    }

    /** {@code GET /v2/}: an anonymous caller is told to authenticate whenever the authenticator takes credentials. */
    public void requireBase(Optional<Principal> caller) {
        if (caller.isEmpty() && authenticator.acceptsCredentials()) {
            throw new AuthenticationRequiredException("authentication required", authenticator.challenge(List.of()));
        }
    }

    /** Whether the caller may do {@code action} on {@code repository}. */
    public boolean permits(Optional<Principal> caller, RepositoryName repository, Action action) {
        Principal p = caller.orElse(null);
        if (p != null && p.tokenForbids(repository, action)) {
            return false;
        }
        return access.permits(asSeenByRules(p), repository, action);
    }

    /** The principal the access controller judges: none for an anonymous caller, with or without a token. */
    private static Principal asSeenByRules(Principal p) {
        return p == null || p.anonymous() ? null : p;
    }

    private static boolean isAnonymous(Optional<Principal> caller) {
        return caller.isEmpty() || caller.get().anonymous();
    }

    /**
     * Requires every action of {@code needed} on {@code repository}; {@code challengeFor} are the actions the
     * challenge asks a token for (a push asks for {@code pull,push}, as docker does).
     *
     * @throws AuthenticationRequiredException for an anonymous caller
     * @throws RegistryException               {@link ErrorCode#DENIED} for an authenticated one
     */
    public void require(Optional<Principal> caller, RepositoryName repository, Set<Action> needed,
            Set<Action> challengeFor) {
        List<Action> missing = new ArrayList<>();
        for (Action a : needed) {
            if (!permits(caller, repository, a)) {
                missing.add(a);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        Scope scope = Scope.repository(repository, EnumSet.copyOf(missing));
        // An anonymous caller, or one whose token lacks the scope, is asked to (re)authenticate for it: docker then
        // fetches a token for the scope. An authenticated caller whom the rules refuse is denied outright.
        boolean tokenLacksIt = caller.isPresent() && caller.get().granted().isPresent()
                && missing.stream().anyMatch(a -> caller.get().tokenForbids(repository, a))
                && missing.stream().allMatch(a -> access.permits(asSeenByRules(caller.get()), repository, a));
        // An anonymous token holder is told to log in, like any anonymous caller.
        if (isAnonymous(caller) && authenticator.acceptsCredentials() || tokenLacksIt) {
            EnumSet<Action> challenge = EnumSet.copyOf(needed);
            challenge.addAll(challengeFor);
            throw new AuthenticationRequiredException("authentication required for " + scope,
                    authenticator.challenge(List.of(Scope.repository(repository, challenge))));
        }
        throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied: " + scope
                + (isAnonymous(caller) ? "" : " for " + caller.get().name()));
    }

    public void require(Optional<Principal> caller, RepositoryName repository, Action needed) {
        require(caller, repository, EnumSet.of(needed), EnumSet.of(needed));
    }

    /**
     * The catalog: which repositories the caller may see ({@link Action#PULL} on each).
     *
     * @throws AuthenticationRequiredException when an anonymous caller may not list the catalog at all
     * @throws RegistryException               {@link ErrorCode#DENIED} when an authenticated one may not
     */
    public Predicate<RepositoryName> catalog(Optional<Principal> caller) {
        Principal p = caller.orElse(null);
        Principal judged = asSeenByRules(p);
        boolean controllerPermits = access.permitsCatalog(judged);
        boolean tokenForbids = p != null && p.tokenForbidsCatalog();
        if (tokenForbids || !controllerPermits) {
            // As for repositories: a token that lacks the catalog scope is worth replacing only when the access
            // controller would let the caller list; otherwise another token would not help, and the answer is 403.
            boolean tokenLacksIt = tokenForbids && controllerPermits;
            if (judged == null && authenticator.acceptsCredentials() || tokenLacksIt) {
                throw new AuthenticationRequiredException("authentication required for " + Scope.CATALOG,
                        authenticator.challenge(List.of(Scope.CATALOG)));
            }
            throw new RegistryException(ErrorCode.DENIED, "listing the catalog is denied"
                    + (judged != null ? " for " + judged.name() : ""));
        }
        // A token's catalog grant lets the caller list; which repositories it sees is still the controller's call.
        return name -> access.permits(judged, name, Action.PULL);
    }

    @Override
    public void close() {
        authenticator.close();
    }

    @Override
    public String toString() {
        return "AccessGuard[" + authenticator + ", " + access + "]";
    }
}
