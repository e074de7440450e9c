package dev.berth.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>Thread-safe and immutable: the trusted keys are read once, when it is built.
 */
public final class TokenAuthenticator implements Authenticator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TokenAuthenticator.class);
    /** The clock skew allowed on {@code exp}, {@code nbf} and {@code iat}, as distribution allows. */
    public static final Duration LEEWAY = Duration.ofSeconds(60);
    /** The principal name of a token whose {@code sub} is empty. */
    public static final String ANONYMOUS_SUBJECT = Principal.ANONYMOUS_NAME;

    /** Every algorithm a token may be signed with; anything else (none, HS*, PS*) is refused. */
    public static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);

    static final Set<String> PARAMETERS = Set.of("realm", "service", "issuer", "rootcertbundle", "jwks",
            "signingalgorithms", "autoredirect", "autoredirectpath");

    private final String realm;
    private final String service;
    private final String issuer;
    private final Set<TrustAnchor> anchors;
    private final Map<String, PublicKey> keysById;
    private final List<PublicKey> allKeys;
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
    public TokenAuthenticator(String realm, String service, String issuer, List<X509Certificate> rootCertificates,
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
        Set<TrustAnchor> anchorSet = new LinkedHashSet<>();
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        List<PublicKey> keys = new ArrayList<>();
        for (X509Certificate root : rootCertificates) {
            anchorSet.add(new TrustAnchor(root, null));
            addKey(keys, byId, root.getPublicKey(), null, "rootcertbundle");
        }
        for (JWK jwk : jwks.getKeys()) {
            PublicKey key;
            try {
                key = Keys.fromJwk(jwk);
            } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("auth.token.jwks: key " + (jwk.getKeyID() == null ? "without kid"
                        : "'" + jwk.getKeyID() + "'") + " cannot be used: " + Failures.describe(e), e);
            }
            if (jwk.isPrivate()) {
                // A JWKS for a verifier should hold public keys only; use only the public half and say so once.
                LOG.warn(
                        "auth.token.jwks: key {} contains private key material; only its public key is used",
                        jwk.getKeyID());
            }
            addKey(keys, byId, key, jwk.getKeyID(), "jwks");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("auth.token: no trusted key; give rootcertbundle or jwks");
        }
        this.anchors = Set.copyOf(anchorSet);
        this.keysById = Map.copyOf(byId);
        this.allKeys = List.copyOf(keys);
    }

    private static void addKey(List<PublicKey> keys, Map<String, PublicKey> byId, PublicKey key, String kid,
            String source) {
        try {
            Keys.signingAlgorithm(key); // fails for unsupported key types and curves
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("auth.token." + source + ": " + Failures.describe(e), e);
        }
        if (keys.stream().noneMatch(k -> Keys.same(k, key))) {
            keys.add(key);
        }
        if (kid != null && !kid.isEmpty()) {
            byId.put(kid, key);
        }
        byId.putIfAbsent(Keys.libtrustKeyId(key), key);
        byId.putIfAbsent(Keys.thumbprint(key), key);
    }

    /**
     * Builds a verifier from the {@code auth.token} section.
     *
     * @throws IllegalArgumentException naming the parameter that is missing, unknown or wrong
     */
    public static TokenAuthenticator fromParameters(Map<String, ?> parameters) {
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(PARAMETERS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("auth.token: unknown parameter" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (known: " + String.join(", ", new TreeSet<>(PARAMETERS)) + ")");
        }
        String realm = requiredString(parameters, "realm");
        String service = requiredString(parameters, "service");
        String issuer = requiredString(parameters, "issuer");
        String bundle = optionalString(parameters, "rootcertbundle");
        String jwksFile = optionalString(parameters, "jwks");
        if (bundle == null && jwksFile == null) {
            throw new IllegalArgumentException("auth.token.rootcertbundle: required unless auth.token.jwks is given"
                    + " (the keys tokens are signed with)");
        }
        optionalBoolean(parameters, "autoredirect");
        optionalString(parameters, "autoredirectpath");
        List<X509Certificate> roots = bundle == null ? List.of()
                : Keys.readCertificates(Path.of(bundle), "auth.token.rootcertbundle");
        JWKSet jwks = jwksFile == null ? new JWKSet() : readJwks(Path.of(jwksFile));
        Set<JWSAlgorithm> algorithms = SUPPORTED_ALGORITHMS;
        Object algs = parameters.get("signingalgorithms");
        if (algs != null) {
            algorithms = new LinkedHashSet<>();
            for (Object a : algs instanceof Collection<?> c ? c : List.of(algs)) {
                JWSAlgorithm alg = JWSAlgorithm.parse(String.valueOf(a).trim());
                if (!SUPPORTED_ALGORITHMS.contains(alg)) {
                    throw new IllegalArgumentException("auth.token.signingalgorithms: '" + a + "' is not supported ("
                            + SUPPORTED_ALGORITHMS.stream().map(JWSAlgorithm::getName).sorted()
                                    .collect(Collectors.joining(", ")) + ")");
                }
                algorithms.add(alg);
            }
            if (algorithms.isEmpty()) {
                throw new IllegalArgumentException("auth.token.signingalgorithms: empty");
            }
        }
        return new TokenAuthenticator(realm, service, issuer, roots, jwks, algorithms, Clock.systemUTC());
    }

    /**
     * A verifier that trusts exactly {@code issuer}'s key (by kid, and as the only key), for the same service and
     * issuer name: the pairing of Berth's built-in token server with its registry.
     */
    public static TokenAuthenticator trusting(TokenIssuer issuer, String realm) {
        return new TokenAuthenticator(realm, issuer.service(), issuer.issuer(), List.of(),
                new JWKSet(issuer.publicJwk()));
    }

    private static JWKSet readJwks(Path file) {
        try {
            return JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("auth.token.jwks: no such file " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("auth.token.jwks: cannot read " + file + ": " + Failures.describe(e), e);
        } catch (ParseException e) {
            throw new IllegalArgumentException("auth.token.jwks: " + file + " is not a JWK set: "
                    + Failures.describe(e), e);
        }
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
        PublicKey key = signingKey(header);
        if (!signatureValid(signed, alg, key)) {
            throw new Rejection("bad token signature");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Rejection("malformed token claims");
        }
        checkClaims(claims);
        String sub = claims.getSubject();
        return Authentication.authenticated(sub == null || sub.isEmpty() ? Principal.anonymousWithToken(access(claims))
                : Principal.withToken(sub, access(claims)));
    }

    /** Finds the key the token says it is signed with, and refuses keys that are not trusted. */
    private PublicKey signingKey(JWSHeader header) throws Rejection {
        List<com.nimbusds.jose.util.Base64> x5c = header.getX509CertChain();
        if (x5c != null && !x5c.isEmpty()) {
            return chainedKey(x5c);
        }
        JWK jwk = header.getJWK();
        if (jwk != null) {
            PublicKey embedded;
            try {
                embedded = Keys.fromJwk(jwk);
            } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
                throw new Rejection("unusable jwk header");
            }
            return allKeys.stream().filter(k -> Keys.same(k, embedded)).findFirst()
                    .orElseThrow(() -> new Rejection("the token's jwk header is not a trusted key"));
        }
        String kid = header.getKeyID();
        if (kid != null) {
            PublicKey key = keysById.get(kid);
            if (key == null) {
                throw new Rejection("token signed by an unknown key (kid not trusted)");
            }
            return key;
        }
        if (allKeys.size() == 1) {
            return allKeys.get(0);
        }
        throw new Rejection("token names no signing key (no x5c, jwk or kid) and several keys are trusted");
    }

    private PublicKey chainedKey(List<com.nimbusds.jose.util.Base64> x5c) throws Rejection {
        List<X509Certificate> chain = new ArrayList<>();
        for (com.nimbusds.jose.util.Base64 b : x5c) {
            X509Certificate cert = X509CertUtils.parse(b.decode());
            if (cert == null) {
                throw new Rejection("malformed x5c certificate");
            }
            chain.add(cert);
        }
        X509Certificate leaf = chain.get(0);
        PublicKey leafKey = leaf.getPublicKey();
        if (anchors.isEmpty()) {
            // Only keys are configured (jwks): the chain proves nothing here, but the key may be trusted itself.
            return allKeys.stream().filter(k -> Keys.same(k, leafKey)).findFirst().orElseThrow(() -> new Rejection(
                    "the token's x5c certificate is not trusted (no rootcertbundle is configured and its key is"
                            + " not a jwks key)"));
        }
        // A chain may end in (or be) a bundle certificate; PKIX wants the path without its anchor.
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c))) {
                break;
            }
            path.add(c);
        }
        if (path.isEmpty()) {
            try {
                leaf.checkValidity(Date.from(clock.instant()));
            } catch (GeneralSecurityException e) {
                throw new Rejection("the signing certificate is expired or not yet valid");
            }
            return leaf.getPublicKey();
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            CertPath certPath = factory.generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false); // distribution does no revocation checks either
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (GeneralSecurityException e) {
            // A certificate that does not chain may still carry a key trusted on its own (a jwks key).
            return allKeys.stream().filter(k -> Keys.same(k, leafKey)).findFirst().orElseThrow(() -> new Rejection(
                    "the token's x5c chain does not lead to a trusted root certificate"));
        }
        return leaf.getPublicKey();
    }

    private static boolean signatureValid(SignedJWT jwt, JWSAlgorithm alg, PublicKey key) throws Rejection {
        try {
            if (JWSAlgorithm.Family.RSA.contains(alg)) {
                if (!(key instanceof RSAPublicKey rsa) || !alg.getName().startsWith("RS")) {
                    throw new Rejection("algorithm " + alg + " does not fit the signing key");
                }
                return jwt.verify(new RSASSAVerifier(rsa));
            }
            if (JWSAlgorithm.Family.EC.contains(alg)) {
                if (!(key instanceof ECPublicKey ec)) {
                    throw new Rejection("algorithm " + alg + " does not fit the signing key");
                }
                JWSVerifier verifier = new ECDSAVerifier(ec);
                if (!verifier.supportedJWSAlgorithms().contains(alg)) {
                    throw new Rejection("algorithm " + alg + " does not fit the signing key's curve");
                }
                return jwt.verify(verifier);
            }
            if (alg.equals(JWSAlgorithm.EdDSA) || alg.equals(JWSAlgorithm.Ed25519)) {
                if (!Keys.isEd25519(key)) {
                    throw new Rejection("algorithm " + alg + " does not fit the signing key");
                }
                return Keys.verifyEd25519(key, jwt.getSigningInput(), jwt.getSignature().decode());
            }
        } catch (JOSEException e) {
            return false;
        }
        throw new Rejection("signing algorithm " + alg + " not accepted");
    }

    private void checkClaims(JWTClaimsSet claims) throws Rejection {
        if (!issuer.equals(claims.getIssuer())) {
            throw new Rejection("token not from the trusted issuer");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(service)) {
            throw new Rejection("token not for this service (aud)");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new Rejection("token has no expiry (exp)");
        }
        if (now.minus(LEEWAY).isAfter(exp.toInstant())) {
            throw new Rejection("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
            throw new Rejection("token not valid yet (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(LEEWAY).isBefore(iat.toInstant())) {
            throw new Rejection("token issued in the future (iat)");
        }
    }

    private static List<Scope> access(JWTClaimsSet claims) throws Rejection {
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
        return "token[issuer=" + issuer + ", service=" + service + ", " + allKeys.size() + " trusted keys]";
    }

    // ---- parameters ----

    private static String requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("auth.token." + key + ": required");
        }
        return value;
    }

    private static String requiredString(Map<String, ?> p, String key) {
        String v = optionalString(p, key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("auth.token." + key + ": required");
        }
        return v;
    }

    private static String optionalString(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
            throw new IllegalArgumentException("auth.token." + key + ": expected a string");
        }
        return String.valueOf(v);
    }

    private static void optionalBoolean(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v != null && !(v instanceof Boolean) && !Set.of("true", "false").contains(String.valueOf(v))) {
            throw new IllegalArgumentException("auth.token." + key + ": expected true or false");
        }
    }

    /** A rejection reason; never carries the token. */
    private static final class Rejection extends Exception {
        private static final long serialVersionUID = 1L;

        Rejection(String reason) {
            super(reason, null, false, false);
        }
    }
}
