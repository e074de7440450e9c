package dev.berth.registry.spi.auth;

import dev.berth.registry.model.RepositoryName;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated caller: a user name, the groups an authenticator knows it by, and, when it came with a bearer
 * token, what the token grants. A token's grants are a ceiling: the registry's {@link AccessController} still decides
 * within them.
 *
 * @param name    the user name (a token's {@code sub}); never empty
 * @param groups  groups the authenticator put the user in (the access rules add their own)
 * @param granted   what a bearer token grants, or empty when the caller was not authenticated by a token
 * @param anonymous whether this is an anonymous caller holding a token (a token server gives those to clients
 *                  without credentials, with an empty {@code sub}): access rules see it as anonymous, whatever
 *                  its name
 */
public record Principal(String name, Set<String> groups, Optional<List<Scope>> granted, boolean anonymous) {
    /** The name an anonymous token holder goes by in logs. */
    public static final String ANONYMOUS_NAME = "anonymous";

    public Principal(String name, Set<String> groups, Optional<List<Scope>> granted) {
        this(name, groups, granted, false);
    }

    public Principal {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a principal needs a name");
        }
        groups = Set.copyOf(groups);
        granted = granted.map(List::copyOf);
    }

    public static Principal user(String name) {
        return new Principal(name, Set.of(), Optional.empty());
    }

    public static Principal withToken(String name, List<Scope> granted) {
        return new Principal(name, Set.of(), Optional.of(granted));
    }

    /** An anonymous caller with a token (empty {@code sub}): it may do what the token grants and anonymous may. */
    public static Principal anonymousWithToken(List<Scope> granted) {
        return new Principal(ANONYMOUS_NAME, Set.of(), Optional.of(granted), true);
    }

    /** Whether a token limits this caller and its grants do not include {@code action} on {@code repository}. */
    public boolean tokenForbids(RepositoryName repository, Action action) {
        return granted.isPresent() && granted.get().stream().noneMatch(s -> s.grants(repository, action));
    }

    /** Whether a token limits this caller and does not grant the catalog ({@code registry:catalog:*}). */
    public boolean tokenForbidsCatalog() {
        return granted.isPresent() && granted.get().stream().noneMatch(s -> s.type().equals(Scope.CATALOG.type())
                && s.name().equals(Scope.CATALOG.name()) && s.actions().contains("*"));
    }

    @Override
    public String toString() {
        return name; // never a token or a password
    }
}
