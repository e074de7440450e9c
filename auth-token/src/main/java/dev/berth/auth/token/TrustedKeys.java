package dev.berth.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.registry.diagnostics.Failures;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a {@link TokenAuthenticator} trusts, and how a token's header leads to one of them: an {@code x5c} chain
 * that validates (PKIX, at the given time) to a {@code rootcertbundle} certificate, or whose leaf key is trusted
 * itself; an embedded {@code jwk} that is a trusted key; a {@code kid} naming one (a {@code jwks} key by its
 * {@code kid}, a bundle certificate's key by distribution's libtrust key id or its RFC 7638 thumbprint); or, with
 * none of these, the only trusted key. Then whether the signature holds for that key and algorithm.
 *
 * <p>Immutable and thread-safe: the keys are read once, when it is built.
 */
final class TrustedKeys {
    private static final Logger LOG = LoggerFactory.getLogger(TrustedKeys.class);

    private final Set<TrustAnchor> anchors;
    private final Map<String, PublicKey> keysById;
    private final List<PublicKey> allKeys;

    /**
     * @throws IllegalArgumentException when no key is trusted at all or a key is of an unsupported type
     */
    TrustedKeys(List<X509Certificate> rootCertificates, JWKSet jwks) {
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
                LOG.warn("auth.token.jwks: key {} contains private key material; only its public key is used",
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

    /** How many distinct keys are trusted. */
    int size() {
        return allKeys.size();
    }

    /** Finds the key the token says it is signed with, and refuses keys that are not trusted. */
    PublicKey signingKey(JWSHeader header, Instant now) throws Rejection {
        List<Base64> x5c = header.getX509CertChain();
        if (x5c != null && !x5c.isEmpty()) {
            return chainedKey(x5c, now);
        }
        JWK jwk = header.getJWK();
        if (jwk != null) {
            PublicKey embedded;
            try {
                embedded = Keys.fromJwk(jwk);
            } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
                throw new Rejection("unusable jwk header");
            }
            return trusted(embedded).orElseThrow(() -> new Rejection("the token's jwk header is not a trusted key"));
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

    private Optional<PublicKey> trusted(PublicKey key) {
        return allKeys.stream().filter(k -> Keys.same(k, key)).findFirst();
    }

    private PublicKey chainedKey(List<Base64> x5c, Instant now) throws Rejection {
        List<X509Certificate> chain = new ArrayList<>();
        for (Base64 b : x5c) {
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
            return trusted(leafKey).orElseThrow(() -> new Rejection("the token's x5c certificate is not trusted (no"
                    + " rootcertbundle is configured and its key is not a jwks key)"));
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
                leaf.checkValidity(Date.from(now));
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
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (GeneralSecurityException e) {
            // A certificate that does not chain may still carry a key trusted on its own (a jwks key).
            return trusted(leafKey).orElseThrow(() -> new Rejection(
                    "the token's x5c chain does not lead to a trusted root certificate"));
        }
        return leaf.getPublicKey();
    }

    /** Whether {@code jwt}'s signature holds for {@code key} with {@code alg}; a key that does not fit is refused. */
    static boolean signatureValid(SignedJWT jwt, JWSAlgorithm alg, PublicKey key) throws Rejection {
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
}
