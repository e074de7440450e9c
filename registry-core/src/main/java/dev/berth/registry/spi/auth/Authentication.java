package dev.berth.registry.spi.auth;

import java.util.Objects;

/** What an {@link Authenticator} made of a request's credentials. */
public sealed interface Authentication {
    /** No credentials were presented. */
    record Anonymous() implements Authentication {
    }

    /** The credentials were checked and are good. */
    record Authenticated(Principal principal) implements Authentication {
        public Authenticated {
            Objects.requireNonNull(principal, "principal");
        }
    }

    /**
     * Credentials were presented and are not good (wrong password, expired token, unknown scheme). The reason is for
     * the server's log and for the client's error detail: it must never contain the secret itself.
     */
    record Rejected(String reason) implements Authentication {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    Authentication ANONYMOUS = new Anonymous();

    static Authentication authenticated(Principal principal) {
        return new Authenticated(principal);
    }

    static Authentication rejected(String reason) {
        return new Rejected(reason);
    }
}
