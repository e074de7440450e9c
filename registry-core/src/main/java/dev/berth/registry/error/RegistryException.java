package dev.berth.registry.error;

import java.util.Objects;

/**
 * The one exception the registry throws for a request it cannot satisfy: it carries the spec's error code (and so
 * the HTTP status) and a detail written for the person who reads the client's error message.
 */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public RegistryException(ErrorCode code, String detail) {
        super(detail);
        this.code = Objects.requireNonNull(code, "code");
    }

    public RegistryException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** What exactly was wrong, in words; never contains a secret. */
    public String detail() {
        return getMessage();
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
