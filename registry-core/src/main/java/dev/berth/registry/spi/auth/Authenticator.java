package dev.berth.registry.spi.auth;

import java.util.List;

/**
 * Who is calling. An authenticator reads a request's credentials (an {@code Authorization} header, mostly) and says
 * whether they are absent, good or bad; and it writes the {@code WWW-Authenticate} challenge a client gets with a
 * 401. It decides nothing about what a caller may do: that is the {@link AccessController}'s.
 *
 * <p>Implementations are called concurrently from request threads and must be thread-safe. Comparisons of secrets
 * must take constant time, and nothing secret may reach a log or a {@link Authentication.Rejected#reason()}.
 */
public interface Authenticator extends AutoCloseable {

    /** Reads the request's credentials; must not throw for bad credentials (answer {@link Authentication.Rejected}). */
    Authentication authenticate(AuthRequest request);

    /**
     * The {@code WWW-Authenticate} value for a 401 answer to a request that needed {@code wanted} (empty for
     * {@code GET /v2/}, which only asks whether the caller is authenticated): {@code Basic realm="..."}, or
     * {@code Bearer realm="...",service="...",scope="repository:app:pull,push"}.
     */
    String challenge(List<Scope> wanted);

    /**
     * Whether this authenticator ever accepts credentials. The anonymous one does not, and then {@code GET /v2/}
     * answers 200 to everyone; otherwise an anonymous {@code GET /v2/} gets a 401 and the challenge, which is how
     * docker and podman learn that they should log in.
     */
    default boolean acceptsCredentials() {
        return true;
    }

    /** Releases what the authenticator holds (a file watcher, say). */
    @Override
    default void close() {
    }

    /** No authentication: everyone is anonymous, and no challenge is ever sent. */
    Authenticator ANONYMOUS = new Authenticator() {
        @Override
        public Authentication authenticate(AuthRequest request) {
            return Authentication.ANONYMOUS;
        }

        @Override
        public String challenge(List<Scope> wanted) {
            return "Basic realm=\"Berth\"";
        }

        @Override
        public boolean acceptsCredentials() {
            return false;
        }

        @Override
        public String toString() {
            return "anonymous";
        }
    };
}
