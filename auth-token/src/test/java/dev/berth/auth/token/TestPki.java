package dev.berth.auth.token;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Real keys and certificates for the tests, generated on the fly; and tokens signed with them. */
final class TestPki {
    static final String ISSUER = "berth-test-issuer";
    static final String SERVICE = "registry.test";
    private static final AtomicLong SERIAL = new AtomicLong(1000);

    private TestPki() {
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** A self-signed CA certificate. */
    static X509Certificate ca(KeyPair keys, String cn) throws Exception {
        return cert(keys, cn, keys, cn, true, Instant.now().minus(1, ChronoUnit.DAYS),
                Instant.now().plus(30, ChronoUnit.DAYS));
    }

    /** A certificate for {@code subject}'s key, signed by {@code issuerKeys}. */
    static X509Certificate cert(KeyPair subject, String subjectCn, KeyPair issuerKeys, String issuerCn, boolean ca,
            Instant from, Instant to) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuerCn),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to),
                new X500Name("CN=" + subjectCn), subject.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature : KeyUsage.digitalSignature));
        String alg = switch (issuerKeys.getPrivate().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate())));
    }

    static Path writePem(Path file, Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        }
        Files.writeString(file, out.toString());
        return file;
    }

    static JWSSigner signer(KeyPair keys) throws Exception {
        return switch (keys.getPrivate().getAlgorithm()) {
            case "RSA" -> new RSASSASigner(keys.getPrivate());
            case "EC" -> new ECDSASigner((ECPrivateKey) keys.getPrivate());
            default -> new Keys.Ed25519Signer(keys.getPrivate());
        };
    }

    /** Claims that a TokenAuthenticator for ISSUER/SERVICE accepts. */
    static JWTClaimsSet.Builder claims(String sub, List<Map<String, Object>> access) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject(sub).audience(SERVICE)
                .expirationTime(Date.from(now.plusSeconds(300))).notBeforeTime(Date.from(now.minusSeconds(5)))
                .issueTime(Date.from(now.minusSeconds(5))).jwtID("j" + SERIAL.incrementAndGet())
                .claim("access", access);
    }

    static Map<String, Object> access(String type, String name, String... actions) {
        return Map.of("type", type, "name", name, "actions", List.of(actions));
    }

    static String sign(KeyPair keys, JWSAlgorithm alg, String kid, List<X509Certificate> x5c, JWTClaimsSet claims)
            throws Exception {
        JWSHeader.Builder h = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT);
        if (kid != null) {
            h.keyID(kid);
        }
        if (x5c != null) {
            List<Base64> chain = new ArrayList<>();
            for (X509Certificate c : x5c) {
                chain.add(Base64.encode(c.getEncoded()));
            }
            h.x509CertChain(chain);
        }
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        jwt.sign(signer(keys));
        return jwt.serialize();
    }
}
