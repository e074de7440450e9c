package dev.berth.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies Docker registry bearer tokens (the JWTs of the Docker token authentication specification) the way CNCF
 * distribution's {@code auth.token} does, so a registry can sit behind any token server that works with
 * distribution (docker_auth, Harbor's core, GitLab, or Berth's own {@link TokenIssuer}).
 *
 * <p><b>What it promises.</b> A token is accepted only when all of these hold:
 * <ul>
 * <li>it is a JWS signed with RS256/RS384/RS512, ES256/ES384/ES512 or EdDSA (Ed25519) — {@code alg: none}, HMAC
 * and encrypted tokens are refused outright, so a public key can never be used as an HMAC secret;</li>
 * <li>the signing key is trusted: the {@code x5c} header's chain validates (PKIX, at the current time) to one of the
 * {@code rootcertbundle} certificates (or, failing that, its leaf's key is itself a trusted key); or an embedded
 * {@code jwk} header is one of the trusted keys; or the
 * {@code kid} names a trusted key (a {@code jwks} key by its {@code kid}, or a bundle certificate's key by the
 * libtrust-style key id distribution derives, or by its RFC 7638 thumbprint); or, with neither {@code x5c} nor
 * {@code kid}, exactly one key is trusted and that key verifies it;</li>
 * <li>{@code iss} equals the configured issuer and {@code aud} contains the configured service;</li>
 * <li>{@code exp} is present and not past, {@code nbf} (if any) is reached and {@code iat} (if any) is not in the
 * future, each with {@link #LEEWAY} of clock skew.</li>
 * </ul>
 * The token's {@code access} claim becomes the principal's grants ({@link Principal#withToken}); its {@code sub} the
 * name. A token with an empty {@code sub} (token servers issue those to anonymous clients) becomes an anonymous
 * principal ({@link Principal#anonymousWithToken}, named {@value #ANONYMOUS_SUBJECT} in logs): access rules see it as
 * anonymous, and its grants are still the ceiling, so it can pull what the token server let anonymous callers pull.
 *
 * <p>Bad tokens are {@link Authentication.Rejected} with a reason for the log and the client; the reason never
 * quotes the token. No {@code Authorization} header is anonymous; a {@code Basic} one is rejected, because a token
 * registry only takes tokens.
 *
 * <p><b>Parameters</b> ({@code auth.token.*}, distribution's names): {@code realm}, {@code service}, {@code issuer}
 * (all required), {@code rootcertbundle} and/or {@code jwks} (at least one), {@code signingalgorithms} (optional
 * list that narrows the accepted algorithms), {@code autoredirect} and {@code autoredirectpath} (accepted for
 * config compatibility; the realm is always sent as configured — distribution's auto-redirect builds it from the
 * request's Host, which the SPI's challenge does not see).
 *
 * <p>The work is split three ways: {@code TokenConfig} reads the parameters, {@code TrustedKeys} finds and checks
 * the signing key, {@code ClaimChecks} checks the claims; this class parses the token and puts them together.
 *
 * <p>Thread-safe and immutable: the trusted keys are read once, when it is built.
 */
public final class TokenAuthenticator implements Authenticator {
    /** The clock skew allowed on {@code exp}, {@code nbf} and {@code iat}, as distribution allows. */
    public static final Duration LEEWAY = Duration.ofSeconds(60);
    /** The principal name of a token whose {@code sub} is empty. */
    public static final String ANONYMOUS_SUBJECT = Principal.ANONYMOUS_NAME;

    /** Every algorithm a token may be signed with; anything else (none, HS*, PS*) is refused. */
    static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);

    private final String realm;
    private final String service;
    private final String issuer;
    private final TrustedKeys keys;
    private final ClaimChecks claims;
    private final Set<JWSAlgorithm> algorithms;
    private final Clock clock;

    /**
     * A verifier trusting {@code rootCertificates} (by x5c chain and by key id) and {@code jwks} (by kid).
     *
     * @param realm            the token endpoint clients are sent to, e.g. {@code https://auth.example.com/token}
     * @param service          the registry's service name: tokens must be for it ({@code aud})
     * @param issuer           the token server's name: tokens must come from it ({@code iss})
     * @param rootCertificates the roots an {@code x5c} chain must lead to; their keys are trusted by kid too
     * @param jwks             keys trusted by {@code kid}; may be empty
     * @throws IllegalArgumentException when no key is trusted at all or a key is of an unsupported type
     */
    TokenAuthenticator(String realm, String service, String issuer, List<X509Certificate> rootCertificates,
            JWKSet jwks) {
        this(realm, service, issuer, rootCertificates, jwks, SUPPORTED_ALGORITHMS, Clock.systemUTC());
    }

    TokenAuthenticator(String realm, String service, String issuer, List<X509Certificate> rootCertificates,
            JWKSet jwks, Set<JWSAlgorithm> algorithms, Clock clock) {
        this.realm = requireText(realm, "realm");
        this.service = requireText(service, "service");
        this.issuer = requireText(issuer, "issuer");
        this.algorithms = Set.copyOf(algorithms);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.keys = new TrustedKeys(rootCertificates, jwks);
        this.claims = new ClaimChecks(this.issuer, this.service, this.clock);
    }

    /**
     * Builds a verifier from the {@code auth.token} section.
     *
     * @throws IllegalArgumentException naming the parameter that is missing, unknown or wrong
     */
    public static TokenAuthenticator fromParameters(Map<String, ?> parameters) {
        TokenConfig c = TokenConfig.parse(parameters);
        return new TokenAuthenticator(c.realm(), c.service(), c.issuer(), c.roots(), c.jwks(), c.algorithms(),
                Clock.systemUTC());
    }

    /**
     * A verifier that trusts exactly {@code issuer}'s key (by kid, and as the only key), for the same service and
     * issuer name: the pairing of Berth's built-in token server with its registry.
     */
    public static TokenAuthenticator trusting(TokenIssuer issuer, String realm) {
        return new TokenAuthenticator(realm, issuer.service(), issuer.issuer(), List.of(),
                new JWKSet(issuer.publicJwk()));
    }

    public String realm() {
        return realm;
    }

    public String service() {
        return service;
    }

    public String issuer() {
        return issuer;
    }

    @Override
    public Authentication authenticate(AuthRequest request) {
        String header = request.header("Authorization").orElse(null);
        if (header == null || header.isBlank()) {
            return Authentication.ANONYMOUS;
        }
        String h = header.strip();
        int space = h.indexOf(' ');
        String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
        if (!scheme.equals("bearer")) {
            return Authentication.rejected("this registry takes bearer tokens");
        }
        String token = space < 0 ? "" : h.substring(space + 1).strip();
        if (token.isEmpty()) {
            return Authentication.rejected("empty bearer token");
        }
        return verify(token);
    }

    /** Verifies a token (the part after {@code Bearer }); never throws for a bad one. */
    public Authentication verify(String token) {
        try {
            return check(token);
        } catch (Rejection r) {
            return Authentication.rejected(r.getMessage());
        } catch (RuntimeException e) {
            // A malformed token can make a parser throw anything; its message might quote the token, so only the
            // exception's type goes into the reason.
            return Authentication.rejected("malformed token (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Authentication check(String token) throws Rejection {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new Rejection("malformed token: not a JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw new Rejection("unsigned token (alg none) refused");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
            throw new Rejection("encrypted tokens are not supported");
        }
        JWSHeader header = signed.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw new Rejection("HMAC-signed token (" + alg + ") refused: tokens must be signed with a public key");
        }
        if (!algorithms.contains(alg)) {
            throw new Rejection("signing algorithm " + alg + " not accepted");
        }
        PublicKey key = keys.signingKey(header, clock.instant());
        if (!TrustedKeys.signatureValid(signed, alg, key)) {
            throw new Rejection("bad token signature");
        }
        JWTClaimsSet set;
        try {
            set = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Rejection("malformed token claims");
        }
        claims.check(set);
        String sub = set.getSubject();
        List<Scope> access = ClaimChecks.access(set);
        return Authentication.authenticated(sub == null || sub.isEmpty() ? Principal.anonymousWithToken(access)
                : Principal.withToken(sub, access));
    }

    /**
     * {@code Bearer realm="...",service="..."}, plus {@code scope="..."} with the wanted scopes separated by spaces.
     * Distribution adds {@code error="insufficient_scope"} when a presented token lacked the scope; the SPI does not
     * say whether one was presented, and docker behaves the same without it.
     */
    @Override
    public String challenge(List<Scope> wanted) {
        StringBuilder b = new StringBuilder("Bearer realm=\"").append(quote(realm)).append("\",service=\"")
                .append(quote(service)).append('"');
        if (!wanted.isEmpty()) {
            b.append(",scope=\"").append(quote(wanted.stream().map(Scope::toString)
                    .collect(Collectors.joining(" ")))).append('"');
        }
        return b.toString();
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "token[issuer=" + issuer + ", service=" + service + ", " + keys.size() + " trusted keys]";
    }

    private static String requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("auth.token." + key + ": required");
        }
        return value;
    }
}
