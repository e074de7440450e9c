package dev.berth.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth's built-in token server: issues the signed JWTs of the Docker token authentication specification, for
 * registries (Berth's own {@link TokenAuthenticator}, or CNCF distribution) that trust its key.
 *
 * <p><b>What it grants.</b> For each requested scope, exactly the actions that are both asked for and allowed by the
 * {@link AccessController} ({@code permits(principal, repository, action)}, with a null principal for an anonymous
 * client); {@code *} asks for every action. {@code registry:catalog:*} is granted when
 * {@link AccessController#permitsCatalog} says so. Scopes of other types, invalid repository names and unknown
 * actions are granted nothing, and a scope with nothing granted is left out of the token. Requests for one resource
 * are merged.
 *
 * <p><b>The token.</b> Signed with RS256 for an RSA key, ES256/ES384/ES512 for an EC key (by curve), EdDSA for an
 * Ed25519 key; the {@code kid} header is the libtrust-style key id distribution derives from the public key (so
 * distribution with a {@code rootcertbundle} of the certificate, and {@link TokenAuthenticator}, find it), and
 * {@code x5c} carries the certificate chain when one is configured. Claims: {@code iss}, {@code sub} (empty for
 * anonymous, as token servers do), {@code aud} (the service), {@code exp}, {@code nbf}, {@code iat}, a random
 * {@code jti} and {@code access}.
 *
 * <p>Thread-safe. The private key never leaves this object and is never logged.
 */
public final class TokenIssuer {
    private static final Logger LOG = LoggerFactory.getLogger(TokenIssuer.class);
    /** How long a token lives unless configured: distribution's and docker_auth's usual 5 minutes. */
    public static final Duration DEFAULT_EXPIRATION = Duration.ofMinutes(5);
    /** Where Berth's server configuration has the issuer's section, and so how {@link #fromConfig} names keys. */
    static final String CONFIG_NAME = "auth.token.builtin";
    static final List<String> CONFIG_KEYS = List.of("key", "certificate", "issuer", "service", "expiration");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final List<X509Certificate> chain;
    private final String issuer;
    private final String service;
    private final Duration expiration;
    private final AccessController access;
    private final JWSAlgorithm algorithm;
    private final String keyId;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * An issuer signing with {@code keys}.
     *
     * @param keys        the signing key pair (RSA of at least 2048 bits, EC P-256/P-384/P-521, or Ed25519)
     * @param chain       the certificate chain of the key, leaf first, sent as {@code x5c}; may be empty
     * @param issuer      the {@code iss} of every token (a registry's {@code auth.token.issuer})
     * @param service     the service tokens are for ({@code aud}; a registry's {@code auth.token.service})
     * @param expiration  how long a token is valid
     * @param access      what callers may do
     * @throws IllegalArgumentException when the key is unsupported or the certificate is not the key's
     */
    public TokenIssuer(KeyPair keys, List<X509Certificate> chain, String issuer, String service,
            Duration expiration, AccessController access) {
        this(keys, chain, issuer, service, expiration, access, Clock.systemUTC());
    }

    TokenIssuer(KeyPair keys, List<X509Certificate> chain, String issuer, String service, Duration expiration,
            AccessController access, Clock clock) {
        this.privateKey = Objects.requireNonNull(keys.getPrivate(), "private key");
        this.publicKey = Objects.requireNonNull(keys.getPublic(), "public key");
        this.chain = List.copyOf(chain);
        this.issuer = requireText(issuer, "issuer");
        this.service = requireText(service, "service");
        this.expiration = Objects.requireNonNull(expiration, "expiration");
        if (expiration.isNegative() || expiration.isZero()) {
            throw invalid("expiration", "must be positive");
        }
        this.access = Objects.requireNonNull(access, "access");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.algorithm = Keys.signingAlgorithm(publicKey);
        } catch (ParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw invalid("key", e.getMessage());
        }
        if (!Keys.matches(privateKey, publicKey)) {
            throw invalid("key", "the public key is not the private key's");
        }
        if (!this.chain.isEmpty() && !Keys.same(this.chain.get(0).getPublicKey(), publicKey)) {
            throw invalid("certificate", "the (first) certificate is not for the private key");
        }
        this.keyId = Keys.libtrustKeyId(publicKey);
        signer(); // fails now, not on the first request, for keys nimbus refuses (RSA below 2048 bits)
    }

    /**
     * An issuer with a fresh EC P-256 key that lives only in memory: for embedders and tests. Tokens it issued are
     * worthless after a restart, and only a verifier built from {@link #authenticator} or {@link #publicJwk}
     * trusts it.
     */
    public static TokenIssuer generated(String issuer, String service, Duration expiration,
            AccessController access) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new TokenIssuer(g.generateKeyPair(), List.of(), issuer, service, expiration, access);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    /**
     * Builds an issuer from a config section: {@code key} (PEM private key file, RSA, EC or Ed25519, PKCS#8 or
     * traditional; without it a key is generated in memory, with a warning), {@code certificate} (optional PEM
     * certificate chain of the key, leaf first), {@code issuer} and {@code service} (required), {@code expiration}
     * (a Go duration like {@code 5m}, {@code 300s}, {@code 1h30m}, or whole seconds; default 5 minutes). Errors
     * name the key as the server's configuration places the section: {@code auth.token.builtin.expiration}.
     *
     * @throws IllegalArgumentException naming the key that is missing, unknown or wrong
     */
    public static TokenIssuer fromConfig(Map<String, ?> section, AccessController access) {
        Parameters p = Parameters.of(CONFIG_NAME, section).rejectUnknown(CONFIG_KEYS);
        String issuer = p.requiredString("issuer");
        String service = p.requiredString("service");
        Duration expiration = p.duration("expiration", DEFAULT_EXPIRATION);
        if (expiration.isZero()) {
            throw p.invalid("expiration", "must be longer than zero");
        }
        Optional<Path> keyFile = p.path("key");
        Optional<Path> certFile = p.path("certificate");
        if (keyFile.isEmpty()) {
            if (certFile.isPresent()) {
                throw p.invalid("certificate", "given without key");
            }
            LOG.warn("token issuer: no key configured; signing with a key generated in memory, so tokens do not"
                    + " survive a restart and only this process's registry trusts them");
            return generated(issuer, service, expiration, access);
        }
        KeyPair keys = Keys.readKeyPair(keyFile.get(), p, "key");
        List<X509Certificate> chain = certFile.map(c -> Keys.readCertificates(c, p, "certificate"))
                .orElse(List.of());
        return new TokenIssuer(keys, chain, issuer, service, expiration, access);
    }

    /**
     * A refused argument, named as the server's configuration places it ({@code auth.token.builtin.key: ...}), so
     * that the server reports the key without reading the message.
     */
    private static ParameterException invalid(String key, String problem) {
        return new ParameterException(CONFIG_NAME, key, problem);
    }

    private static String requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw invalid(key, "required");
        }
        return value;
    }

    public String issuer() {
        return issuer;
    }

    public String service() {
        return service;
    }

    public Duration expiration() {
        return expiration;
    }

    /** The JWS algorithm tokens are signed with. */
    JWSAlgorithm algorithm() {
        return algorithm;
    }

    /** The {@code kid} header of every token (distribution's libtrust-style key id of the public key). */
    public String keyId() {
        return keyId;
    }

    /** The public key as a JWK with its {@code kid}: what a verifier's {@code jwks} file should hold. */
    JWK publicJwk() {
        return Keys.toJwk(publicKey, keyId);
    }

    /** The certificate chain sent as {@code x5c}, leaf first; empty when none is configured. */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /** A {@link TokenAuthenticator} for the registry side that trusts this issuer's key. */
    public TokenAuthenticator authenticator(String realm) {
        return TokenAuthenticator.trusting(this, realm);
    }

    /**
     * A signed token and what it grants.
     *
     * @param token     the compact JWT
     * @param granted   the scopes in its {@code access} claim
     * @param issuedAt  its {@code iat}
     * @param expiresIn how long it is valid from {@code issuedAt}
     */
    public record IssuedToken(String token, List<Scope> granted, Instant issuedAt, Duration expiresIn) {
        @Override
        public String toString() {
            return "IssuedToken[granted=" + granted + ", issuedAt=" + issuedAt + "]"; // never the token
        }
    }

    /**
     * Issues a token to {@code principal} (empty for an anonymous client) for {@code requested} scopes.
     *
     * @throws IllegalArgumentException when {@code service} is not this issuer's service
     */
    public IssuedToken issue(Optional<Principal> principal, String service, List<Scope> requested) {
        if (!this.service.equals(service)) {
            throw new IllegalArgumentException("unknown service '" + service + "' (this token server issues tokens"
                    + " for '" + this.service + "')");
        }
        List<Scope> granted = grant(principal.orElse(null), requested);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        List<Object> accessClaim = new ArrayList<>();
        for (Scope s : granted) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", s.type());
            entry.put("name", s.name());
            String actions = s.toString().substring(s.toString().lastIndexOf(':') + 1);
            entry.put("actions", actions.isEmpty() ? List.of() : List.of(actions.split(",")));
            accessClaim.add(entry);
        }
        byte[] jti = new byte[16];
        random.nextBytes(jti);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(principal.map(Principal::name).orElse(""))
                .audience(service)
                .expirationTime(Date.from(now.plus(expiration)))
                .notBeforeTime(Date.from(now))
                .issueTime(Date.from(now))
                .jwtID(HexFormat.of().formatHex(jti))
                .claim("access", accessClaim)
                .build();
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId);
        if (!chain.isEmpty()) {
            List<Base64> x5c = new ArrayList<>();
            for (X509Certificate c : chain) {
                try {
                    x5c.add(Base64.encode(c.getEncoded()));
                } catch (CertificateEncodingException e) {
                    throw new IllegalStateException("certificate cannot be encoded", e);
                }
            }
            header.x509CertChain(x5c);
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        try {
            jwt.sign(signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("token signing failed: " + Failures.describe(e), e);
        }
        LOG.debug("issued a token to {} for {}", principal.map(Principal::name).orElse("an anonymous client"),
                granted);
        return new IssuedToken(jwt.serialize(), granted, now, expiration);
    }

    /** The scopes of {@code requested} that the access controller allows, merged per resource. */
    List<Scope> grant(Principal principal, List<Scope> requested) {
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        Map<String, Scope> resource = new LinkedHashMap<>();
        for (Scope s : requested) {
            String k = s.type() + ":" + s.name();
            wanted.computeIfAbsent(k, x -> new LinkedHashSet<>()).addAll(s.actions());
            resource.putIfAbsent(k, s);
        }
        List<Scope> out = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : wanted.entrySet()) {
            Scope s = resource.get(e.getKey());
            Set<String> actions = e.getValue();
            if (s.isRepository()) {
                if (!RepositoryName.isValid(s.name())) {
                    continue;
                }
                RepositoryName repo = RepositoryName.parse(s.name());
                Set<Action> allowed = EnumSet.noneOf(Action.class);
                for (Action a : Action.values()) {
                    if ((actions.contains(a.word()) || actions.contains("*")) && access.permits(principal, repo, a)) {
                        allowed.add(a);
                    }
                }
                if (!allowed.isEmpty()) {
                    out.add(Scope.repository(repo, allowed));
                }
            } else if (s.type().equals(Scope.CATALOG.type()) && s.name().equals(Scope.CATALOG.name())
                    && actions.contains("*") && access.permitsCatalog(principal)) {
                out.add(Scope.CATALOG);
            }
        }
        return out;
    }

    private JWSSigner signer() {
        try {
            if (algorithm.getName().startsWith("RS")) {
                return new RSASSASigner(privateKey);
            }
            if (algorithm.getName().startsWith("ES")) {
                return new ECDSASigner((ECPrivateKey) privateKey);
            }
            return new Keys.Ed25519Signer(privateKey);
        } catch (JOSEException | RuntimeException e) {
            ParameterException invalid = invalid("key", "cannot sign with it: " + Failures.describe(e));
            invalid.initCause(e);
            throw invalid;
        }
    }

    @Override
    public String toString() {
        return "TokenIssuer[issuer=" + issuer + ", service=" + service + ", " + algorithm + ", kid=" + keyId + "]";
    }
}
