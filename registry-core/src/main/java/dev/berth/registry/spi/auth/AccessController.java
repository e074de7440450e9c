package dev.berth.registry.spi.auth;

import dev.berth.registry.model.RepositoryName;

/**
 * What a caller may do. Asked once per action an endpoint needs (a manifest PUT needs {@link Action#PUSH}, a blob GET
 * {@link Action#PULL}, a DELETE {@link Action#DELETE}, a cross-repository mount {@link Action#PULL} on the source as
 * well) and once per repository when the catalog is listed, which shows only the repositories the caller may pull.
 * Must be thread-safe and fast: it runs on every request.
 */
@FunctionalInterface
public interface AccessController {

    /**
     * Whether {@code principal} (null for an anonymous caller) may do {@code action} on {@code repository}. A bearer
     * token's own grants are checked by the registry before this is asked.
     */
    boolean permits(Principal principal, RepositoryName repository, Action action);

    /** Whether the caller may list the catalog at all; what it lists is then filtered by {@link Action#PULL}. */
    default boolean permitsCatalog(Principal principal) {
        return true;
    }

    /** Everyone may do everything: a registry without authentication. */
    AccessController ALLOW_ALL = (principal, repository, action) -> true;

    /**
     * Every authenticated caller may do everything and an anonymous caller nothing: what distribution does with
     * htpasswd or token auth, and the default when auth is on but no access rules are configured.
     */
    AccessController AUTHENTICATED = new AccessController() {
        @Override
        public boolean permits(Principal principal, RepositoryName repository, Action action) {
            return principal != null;
        }

        @Override
        public boolean permitsCatalog(Principal principal) {
            return principal != null;
        }
    };
}
