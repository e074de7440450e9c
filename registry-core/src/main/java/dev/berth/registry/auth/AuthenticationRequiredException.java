package dev.berth.registry.auth;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.util.Objects;

/** An {@link ErrorCode#UNAUTHORIZED} answer, with the {@code WWW-Authenticate} challenge the client should follow. */
public final class AuthenticationRequiredException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final String challenge;

    public AuthenticationRequiredException(String detail, String challenge) {
        super(ErrorCode.UNAUTHORIZED, detail);
        this.challenge = Objects.requireNonNull(challenge, "challenge");
    }

    /** The value of the {@code WWW-Authenticate} header. */
    public String challenge() {
        return challenge;
    }
}
