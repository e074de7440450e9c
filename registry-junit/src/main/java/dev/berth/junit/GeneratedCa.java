package dev.berth.junit;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA made for one registry and thrown away with it, and the server certificate it issued for the loopback
 * addresses ({@code 127.0.0.1}, {@code ::1}, {@code localhost}). EC P-256 keys: generating them takes a millisecond
 * where RSA takes a hundred. BouncyCastle only builds the certificates; it is never registered as a provider.
 */
final class GeneratedCa {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration VALIDITY = Duration.ofDays(2);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final char[] IN_MEMORY = "berth".toCharArray(); // guards nothing: the key store never leaves RAM

    private final X509Certificate ca;
    private final X509Certificate server;
    private final PrivateKey serverKey;
    private final Path caFile;

    private GeneratedCa(X509Certificate ca, X509Certificate server, PrivateKey serverKey, Path caFile) {
        this.ca = ca;
        this.server = server;
        this.serverKey = serverKey;
        this.caFile = caFile;
    }

    /** A new CA and server certificate; the CA's PEM goes to {@code dir/ca.pem}. */
    static GeneratedCa create(Path dir) throws IOException, GeneralSecurityException {
        KeyPair caKeys = ec();
        X500Principal caName = new X500Principal("CN=Berth JUnit CA " + Long.toHexString(RANDOM.nextLong()));
        JcaX509v3CertificateBuilder caBuilder = builder(caName, caName, caKeys);
        KeyPair serverKeys = ec();
        JcaX509v3CertificateBuilder serverBuilder =
                builder(caName, new X500Principal("CN=localhost"), serverKeys);
        try {
            caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            serverBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            serverBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            serverBuilder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
        } catch (CertIOException e) {
            throw new GeneralSecurityException("cannot add a certificate extension", e);
        }
        X509Certificate ca = sign(caBuilder, caKeys.getPrivate());
        X509Certificate server = sign(serverBuilder, caKeys.getPrivate());
        Path caFile = dir.resolve("ca.pem");
        try (Writer out = Files.newBufferedWriter(caFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(ca);
        }
        return new GeneratedCa(ca, server, serverKeys.getPrivate(), caFile);
    }

    Path caFile() {
        return caFile;
    }

    /** The server's key and chain (leaf, then the CA), for Jetty. */
    KeyStore serverKeyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", serverKey, IN_MEMORY, new Certificate[] {server, ca});
        return store;
    }

    static char[] keyStorePassword() {
        return IN_MEMORY.clone();
    }

    /** A client context that trusts this CA only. */
    SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("berth-junit-ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), RANDOM);
        return context;
    }

    private static JcaX509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair keys) {
        Instant now = Instant.now();
        // Back-dated, so that a client whose clock is a little behind accepts it.
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign a certificate", e);
        }
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }
}
