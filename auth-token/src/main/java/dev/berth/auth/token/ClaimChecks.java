package dev.berth.auth.token;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.berth.registry.spi.auth.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a verified token's claims must say, as distribution checks them: {@code iss} is the issuer, {@code aud}
 * contains the service, {@code exp} is present and not past, {@code nbf} (if any) is reached and {@code iat} (if
 * any) is not in the future, each with {@link TokenAuthenticator#LEEWAY} of clock skew; and how the {@code access}
 * claim reads as scopes.
 *
 * <p>Immutable and thread-safe.
 */
final class ClaimChecks {
    private final String issuer;
    private final String service;
    private final Clock clock;

    ClaimChecks(String issuer, String service, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void check(JWTClaimsSet claims) throws Rejection {
        if (!issuer.equals(claims.getIssuer())) {
            throw new Rejection("token not from the trusted issuer");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(service)) {
            throw new Rejection("token not for this service (aud)");
        }
        Instant now = clock.instant();
        Duration leeway = TokenAuthenticator.LEEWAY;
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new Rejection("token has no expiry (exp)");
        }
        if (now.minus(leeway).isAfter(exp.toInstant())) {
            throw new Rejection("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(leeway).isBefore(nbf.toInstant())) {
            throw new Rejection("token not valid yet (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(leeway).isBefore(iat.toInstant())) {
            throw new Rejection("token issued in the future (iat)");
        }
    }

    /** The {@code access} claim as scopes; none when it is absent. */
    static List<Scope> access(JWTClaimsSet claims) throws Rejection {
        Object access = claims.getClaim("access");
        if (access == null) {
            return List.of();
        }
        if (!(access instanceof List<?> entries)) {
            throw new Rejection("malformed access claim: not a list");
        }
        List<Scope> out = new ArrayList<>();
        for (Object e : entries) {
            if (!(e instanceof Map<?, ?> entry) || !(entry.get("type") instanceof String type)
                    || !(entry.get("name") instanceof String name)) {
                throw new Rejection("malformed access claim: an entry without type or name");
            }
            Object actions = entry.get("actions");
            Set<String> words = new LinkedHashSet<>();
            if (actions instanceof List<?> list) {
                for (Object a : list) {
                    if (!(a instanceof String s)) {
                        throw new Rejection("malformed access claim: an action is not a string");
                    }
                    words.add(s);
                }
            } else if (actions != null) {
                throw new Rejection("malformed access claim: actions is not a list");
            }
            try {
                out.add(new Scope(type, name, words));
            } catch (IllegalArgumentException ex) {
                throw new Rejection("malformed access claim: an empty type or name");
            }
        }
        return out;
    }
}
