package dev.berth.auth.token;

/** Why a token was refused, for the log and the client; never carries the token. */
final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;

    Rejection(String reason) {
        super(reason, null, false, false);
    }
}
