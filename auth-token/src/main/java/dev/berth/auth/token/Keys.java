package dev.berth.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.Parameters;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Key plumbing shared by the verifier and the issuer: PEM files, key ids, and Ed25519 with the JDK's own provider.
 * BouncyCastle only parses; every key ends up as a JDK class and no security provider is registered.
 */
final class Keys {
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter();

    private Keys() {
    }

    /**
     * The key id libtrust (and so distribution and docker_auth) derives from a public key: the SHA-256 of its DER
     * SubjectPublicKeyInfo, cut to 240 bits, in base32 and groups of four joined by colons.
     */
    static String libtrustKeyId(PublicKey key) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String b32 = base32(Arrays.copyOf(hash, 30)); // 240 bits: 48 characters, no padding
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 4) {
            if (i > 0) {
                out.append(':');
            }
            out.append(b32, i, i + 4);
        }
        return out.toString();
    }

    /** The RFC 7638 thumbprint of a public key (base64url SHA-256), the other key id in common use. */
    static String thumbprint(PublicKey key) {
        try {
            return toJwk(key, null).computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    /** The public JWK of a key (RSA, EC or Ed25519), with {@code kid} when given. */
    static JWK toJwk(PublicKey key, String kid) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).keyID(kid).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new IllegalArgumentException("unsupported elliptic curve");
            }
            return new ECKey.Builder(curve, ec).keyID(kid).build();
        }
        if (isEd25519(key)) {
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(rawEd25519(key))).keyID(kid).build();
        }
        throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    }

    /** The JDK public key of a JWK: RSA, EC (P-256, P-384, P-521) or Ed25519. */
    static PublicKey fromJwk(JWK jwk) throws JOSEException, GeneralSecurityException {
        if (jwk instanceof RSAKey rsa) {
            return rsa.toRSAPublicKey();
        }
        if (jwk instanceof ECKey ec) {
            return ec.toECPublicKey();
        }
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            return ed25519PublicKey(okp.getX().decode());
        }
        throw new IllegalArgumentException("unsupported key type " + jwk.getKeyType()
                + (jwk instanceof OctetKeyPair okp ? " " + okp.getCurve() : ""));
    }

    static boolean isEd25519(Key key) {
        return key instanceof EdECPublicKey || key.getAlgorithm().equals("Ed25519")
                || key.getAlgorithm().equals("EdDSA") && key instanceof EdECKey ec
                && ec.getParams().getName().equals("Ed25519");
    }

    private static byte[] rawEd25519(PublicKey key) {
        byte[] spki = key.getEncoded();
        return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }

    static PublicKey ed25519PublicKey(byte[] raw) throws GeneralSecurityException {
        if (raw.length != 32) {
            throw new GeneralSecurityException("an Ed25519 public key has 32 bytes");
        }
        byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }

    /** Whether two public keys are the same key (by their DER encoding). */
    static boolean same(PublicKey a, PublicKey b) {
        return MessageDigest.isEqual(a.getEncoded(), b.getEncoded());
    }

    /** The JWS algorithm the issuer signs with for a key: RS256, ES256/ES384/ES512 by curve, or EdDSA. */
    static JWSAlgorithm signingAlgorithm(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return JWSAlgorithm.RS256;
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (Curve.P_256.equals(curve)) {
                return JWSAlgorithm.ES256;
            }
            if (Curve.P_384.equals(curve)) {
                return JWSAlgorithm.ES384;
            }
            if (Curve.P_521.equals(curve)) {
                return JWSAlgorithm.ES512;
            }
            throw new IllegalArgumentException("unsupported elliptic curve (P-256, P-384 or P-521)");
        }
        if (isEd25519(key)) {
            return JWSAlgorithm.EdDSA;
        }
        throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm() + " (RSA, EC or Ed25519)");
    }

    /**
     * An Ed25519 signer on the JDK's own provider: nimbus's Ed25519Signer needs Google Tink, which this project
     * does not ship, while Java 15+ signs Ed25519 natively.
     */
    static final class Ed25519Signer implements JWSSigner {
        private final PrivateKey key;
        private final JCAContext context = new JCAContext();

        Ed25519Signer(PrivateKey key) {
            this.key = key;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(signingInput);
                return Base64URL.encode(s.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 signing failed", e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
        }

        @Override
        public JCAContext getJCAContext() {
            return context;
        }
    }

    /** Verifies an Ed25519 JWS signature with the JDK's provider (see {@link Ed25519Signer} for why). */
    static boolean verifyEd25519(PublicKey key, byte[] signingInput, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    // ---- PEM ----

    /** An error naming the configuration key the file was given under; the cause is kept, never quoted. */
    private static ParameterException invalid(Parameters p, String key, String problem, Throwable cause) {
        ParameterException e = p.invalid(key, problem);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** All certificates in a PEM file, in file order; anything else in the file is ignored. */
    static List<X509Certificate> readCertificates(Path file, Parameters p, String configKey) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object pem : readPem(file, p, configKey)) {
            if (pem instanceof X509CertificateHolder holder) {
                try {
                    out.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw invalid(p, configKey, "a certificate in " + file
                            + " cannot be read: " + Failures.describe(e), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw invalid(p, configKey, "no PEM certificate (BEGIN CERTIFICATE) in " + file, null);
        }
        return out;
    }

    /**
     * The first private key in a PEM file (PKCS#8 {@code PRIVATE KEY}, {@code RSA PRIVATE KEY} or
     * {@code EC PRIVATE KEY}) with its public key, which is derived when the file does not carry it.
     */
    static KeyPair readKeyPair(Path file, Parameters p, String configKey) {
        for (Object pem : readPem(file, p, configKey)) {
            try {
                if (pem instanceof PEMKeyPair pair) {
                    if (pair.getPublicKeyInfo() != null) {
                        return CONVERTER.getKeyPair(pair);
                    }
                    // An "EC PRIVATE KEY" may omit its public point; derive it as for PKCS#8.
                    PrivateKey key = CONVERTER.getPrivateKey(pair.getPrivateKeyInfo());
                    return new KeyPair(publicKeyOf(key, pair.getPrivateKeyInfo()), key);
                }
                if (pem instanceof PrivateKeyInfo info) {
                    PrivateKey key = CONVERTER.getPrivateKey(info);
                    return new KeyPair(publicKeyOf(key, info), key);
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                // The message never quotes the key material; BouncyCastle's messages name only the structure.
                throw invalid(p, configKey, "the private key in " + file
                        + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
            }
            if (pem instanceof PEMEncryptedKeyPair || pem instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw invalid(p, configKey, "the private key in " + file
                        + " is encrypted; give an unencrypted key (protect it with file permissions)", null);
            }
        }
        throw invalid(p, configKey, "no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE"
                + " KEY or BEGIN EC PRIVATE KEY) in " + file, null);
    }

    private static PublicKey publicKeyOf(PrivateKey key, PrivateKeyInfo info) throws IOException,
            GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA").generatePublic(
                    new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        if (key instanceof ECPrivateKey ec) {
            // Q = d·G, on BouncyCastle's curve arithmetic; PKCS#8 files need not carry the public point.
            ECParameterSpec spec = EC5Util.convertSpec(ec.getParams());
            org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
            ECPoint point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, ec.getParams()));
        }
        if (info.getPrivateKeyAlgorithm().getAlgorithm().equals(EdECObjectIdentifiers.id_Ed25519)) {
            byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            return ed25519PublicKey(raw);
        }
        throw new GeneralSecurityException("unsupported key type " + key.getAlgorithm());
    }

    private static List<Object> readPem(Path file, Parameters p, String configKey) {
        List<Object> out = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                out.add(o);
            }
        } catch (NoSuchFileException e) {
            throw invalid(p, configKey, "no such file " + file, e);
        } catch (IOException e) {
            throw invalid(p, configKey, file + " is not a readable PEM file ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        return out;
    }

    /** A sanity check that a certificate belongs to a private key: sign a probe and verify it with the cert. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        byte[] probe = "berth key check".getBytes(StandardCharsets.US_ASCII);
        try {
            String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA"
                    : key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519";
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(publicKey);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
