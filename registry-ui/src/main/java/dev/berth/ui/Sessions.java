package dev.berth.ui;

import dev.berth.registry.spi.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, in memory: a random 256-bit id (the cookie's value) maps to who signed in (nobody for an
 * anonymous visitor, who needs a session only for the CSRF token of a form) and the CSRF token of the session. A
 * session ends when it has not been used for the idle timeout, at sign-out, and when the map is full and it is the
 * one used least recently; anonymous sessions go before signed-in ones then. Thread-safe.
 */
final class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** One session; {@code principal} is null for an anonymous visitor. */
    static final class Session {
        final String id;
        final Principal principal;
        final String csrf;
        volatile Instant lastUsed;

        Session(String id, Principal principal, String csrf, Instant now) {
            this.id = id;
            this.principal = principal;
            this.csrf = csrf;
            this.lastUsed = now;
        }

        /** Whether {@code token} is this session's CSRF token (in constant time). */
        boolean csrfMatches(String token) {
            return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                    token.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idle;
    private final int max;
    private final Clock clock;

    Sessions(Duration idle, int max, Clock clock) {
        if (idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("the session timeout must be positive: " + idle);
        }
        if (max < 1) {
            throw new IllegalArgumentException("at least one session must be allowed: " + max);
        }
        this.idle = idle;
        this.max = max;
        this.clock = clock;
    }

    Duration idle() {
        return idle;
    }

    /** The live session with this id, marked as used now; empty when there is none or it expired. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (s.lastUsed.plus(idle).isBefore(now)) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        s.lastUsed = now;
        return Optional.of(s);
    }

    /** A new session for {@code principal} (null: anonymous), making room when the map is full. */
    Session create(Principal principal) {
        Instant now = clock.instant();
        if (sessions.size() >= max) {
            sessions.values().removeIf(s -> s.lastUsed.plus(idle).isBefore(now));
        }
        while (sessions.size() >= max) {
            Optional<Session> victim = sessions.values().stream()
                    .min(Comparator.comparing((Session s) -> s.principal != null).thenComparing(s -> s.lastUsed));
            if (victim.isEmpty()) {
                break;
            }
            sessions.remove(victim.get().id, victim.get());
        }
        Session s = new Session(random(), principal, random(), now);
        sessions.put(s.id, s);
        return s;
    }

    void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    int size() {
        return sessions.size();
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }
}
