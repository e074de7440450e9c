package dev.berth.server.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away PKI for tests, made fresh at test time in a folder: a root CA (what clients trust), an intermediate CA
 * under it, a separate client CA (what a server's {@code http.tls.clientcas} lists), and on demand server
 * certificates for {@code 127.0.0.1} / {@code localhost} (SAN IP and DNS) and client certificates, written as PEM
 * files in every form {@code http.tls} accepts.
 *
 * <p>For end-to-end tests of the server jar: write {@link #server()}'s files into a {@code config.yml}, and give the
 * client {@link #clientContext()} or, for clients that only read system properties (jib),
 * {@link #writeTrustStore(Path, char[])} as {@code javax.net.ssl.trustStore}.
 *
 * <p>Every call to {@link #server} or {@link #client} makes a new key pair and new file names, so two identities from
 * one PKI never share a key. Uses only the JDK's providers (BouncyCastle builds and writes; it is never registered).
 * Not thread-safe.
 */
public final class TestPki {
    /** The algorithm of a server key. */
    public enum KeyType { RSA, EC }

    /** How a private key is written to its PEM file. */
    public enum KeyFormat {
        /**
         * PKCS#1 {@code BEGIN RSA PRIVATE KEY} for RSA; for EC, SEC1 {@code BEGIN EC PRIVATE KEY} after an
         * {@code EC PARAMETERS} block (OpenSSL's classic forms).
         */
        TRADITIONAL,
        /** PKCS#8 {@code BEGIN PRIVATE KEY}. */
        PKCS8,
        /** PKCS#8 {@code BEGIN ENCRYPTED PRIVATE KEY} (AES-256-CBC, passphrase {@value #PASSPHRASE}). */
        ENCRYPTED_PKCS8,
        /** A classic key with {@code Proc-Type: 4,ENCRYPTED} headers (passphrase {@value #PASSPHRASE}). */
        ENCRYPTED_TRADITIONAL
    }

    /** The passphrase of the encrypted key forms. */
    public static final String PASSPHRASE = "berth-test";

    /**
     * A certificate chain (leaf first, then any intermediate; never the root) with its private key, and the PEM files
     * they were written to.
     */
    public record Identity(List<X509Certificate> chain, PrivateKey key, Path certificateFile, Path keyFile) {
        public Identity {
            chain = List.copyOf(chain);
        }
    }

    private static final Duration VALIDITY = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    // OpenSSL's key derivations are not in the JDK's providers; an unregistered instance leaves the JVM as it was.
    private static final Provider ENCRYPTION = new BouncyCastleProvider();

    private final Path dir;
    private final Issuer root;
    private final Issuer intermediate;
    private final Issuer clientCa;
    private final Path caFile;
    private final Path clientCaFile;
    private int issued;

    private record Issuer(X509Certificate certificate, PrivateKey key) {
    }

    private TestPki(Path dir) throws IOException, GeneralSecurityException {
        this.dir = Files.createDirectories(dir);
        String id = Long.toHexString(RANDOM.nextLong()); // tells two PKIs of one test apart in error messages
        this.root = ca("CN=Berth test root CA " + id, null, rsa());
        this.intermediate = ca("CN=Berth test intermediate CA " + id, root, rsa());
        this.clientCa = ca("CN=Berth test client CA " + id, null, rsa());
        this.caFile = writeCertificates(dir.resolve("ca.pem"), List.of(root.certificate()));
        this.clientCaFile = writeCertificates(dir.resolve("client-ca.pem"), List.of(clientCa.certificate()));
    }

    /** A new PKI whose files go into {@code dir} (created if missing): {@code ca.pem}, {@code client-ca.pem}, .... */
    public static TestPki create(Path dir) throws IOException, GeneralSecurityException {
        return new TestPki(dir);
    }

    /** The root CA's certificate as PEM: what a client trusts. */
    public Path caFile() {
        return caFile;
    }

    /** The client CA's certificate as PEM: what a server's {@code clientcas} lists. */
    public Path clientCaFile() {
        return clientCaFile;
    }

    public X509Certificate caCertificate() {
        return root.certificate();
    }

    /** An RSA server identity, issued by the root, key in PKCS#8: the common case. */
    public Identity server() throws IOException, GeneralSecurityException {
        return server(KeyType.RSA, KeyFormat.PKCS8, false);
    }

    /**
     * A server identity for {@code 127.0.0.1}, {@code ::1} and {@code localhost}. With {@code viaIntermediate} the
     * leaf is issued by the intermediate CA and the certificate file holds the leaf then the intermediate, as a
     * server must send it.
     */
    public Identity server(KeyType type, KeyFormat format, boolean viaIntermediate)
            throws IOException, GeneralSecurityException {
        KeyPair pair = type == KeyType.RSA ? rsa() : ec();
        Issuer issuer = viaIntermediate ? intermediate : root;
        GeneralNames names = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1"),
            new GeneralName(GeneralName.dNSName, "localhost")});
        X509Certificate leaf = leaf("CN=localhost", issuer, pair, KeyPurposeId.id_kp_serverAuth, names);
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        if (viaIntermediate) {
            chain.add(intermediate.certificate());
        }
        String name = "server-" + ++issued + "-" + type.name().toLowerCase() + "-" + format.name().toLowerCase();
        return identity(name, chain, pair, format);
    }

    /** A client identity issued by this PKI's client CA (RSA, PKCS#8). */
    public Identity client() throws IOException, GeneralSecurityException {
        KeyPair pair = rsa();
        X509Certificate leaf = leaf("CN=berth-test-client", clientCa, pair, KeyPurposeId.id_kp_clientAuth, null);
        return identity("client-" + ++issued, List.of(leaf), pair, KeyFormat.PKCS8);
    }

    /** A key store holding the root CA only, to build a client's trust managers from. */
    public KeyStore trustStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("berth-test-ca", root.certificate());
        return store;
    }

    /** {@link #trustStore()} written as a PKCS#12 file, for {@code -Djavax.net.ssl.trustStore=...}. */
    public Path writeTrustStore(Path file, char[] password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            trustStore().store(out, password);
        }
        return file;
    }

    /** A TLS context that trusts the root CA and presents no client certificate. */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        return clientContext(null);
    }

    /**
     * A TLS context that trusts the root CA and presents {@code client} (any PKI's; {@code null}: none). The
     * certificate is presented whatever CAs the server asks for: the JDK's own key manager would silently send none
     * when the issuer is not among them, and a test of a server refusing a stranger's certificate would then only
     * test a missing one.
     */
    public SSLContext clientContext(Identity client) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(client == null ? null : new KeyManager[] {new Presenting(client)}, trust.getTrustManagers(),
                RANDOM);
        return context;
    }

    /** A client key manager with one identity that it always offers. */
    private static final class Presenting extends X509ExtendedKeyManager {
        private static final String ALIAS = "client";
        private final Identity identity;

        Presenting(Identity identity) {
            this.identity = identity;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return identity.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return identity.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    private Identity identity(String name, List<X509Certificate> chain, KeyPair pair, KeyFormat format)
            throws IOException {
        PrivateKey key = pair.getPrivate();
        Path certificateFile = writeCertificates(dir.resolve(name + ".crt"), chain);
        Path keyFile = dir.resolve(name + ".key");
        try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            switch (format) {
                case TRADITIONAL -> {
                    if (pair.getPrivate() instanceof ECPrivateKey ec) {
                        writeSec1(pem, ec, pair.getPublic());
                    } else {
                        pem.writeObject(key); // PKCS#1, as JcaPEMWriter writes a bare RSA key
                    }
                }
                case PKCS8 -> pem.writeObject(new JcaPKCS8Generator(key, null));
                case ENCRYPTED_PKCS8 -> pem.writeObject(new JcaPKCS8Generator(key,
                        new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                                .setProvider(ENCRYPTION).setPassword(PASSPHRASE.toCharArray()).build()));
                case ENCRYPTED_TRADITIONAL -> pem.writeObject(key,
                        new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(ENCRYPTION)
                                .build(PASSPHRASE.toCharArray()));
            }
        } catch (OperatorCreationException e) {
            throw new IOException("cannot encrypt a test key", e);
        }
        return new Identity(chain, key, certificateFile, keyFile);
    }

    /**
     * SEC1 as {@code openssl ecparam -genkey} writes it: an {@code EC PARAMETERS} block, then the key with its curve
     * and public point. (JcaPEMWriter would leave both out, since the JDK's PKCS#8 encoding does.)
     */
    private static void writeSec1(JcaPEMWriter pem, ECPrivateKey key, PublicKey publicKey) throws IOException {
        ASN1Encodable curve = PrivateKeyInfo.getInstance(key.getEncoded()).getPrivateKeyAlgorithm().getParameters();
        DERBitString point = new DERBitString(
                SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData().getOctets());
        pem.writeObject(new PemObject("EC PARAMETERS", curve.toASN1Primitive().getEncoded()));
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), key.getS(), point, curve);
        pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    private static Path writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : certificates) {
                pem.writeObject(certificate);
            }
        }
        return file;
    }

    private static Issuer ca(String subject, Issuer parent, KeyPair pair) throws GeneralSecurityException {
        X500Principal name = new X500Principal(subject);
        PrivateKey signingKey = parent != null ? parent.key() : pair.getPrivate(); // a root signs itself
        X500Principal issuerName = parent != null ? parent.certificate().getSubjectX500Principal() : name;
        JcaX509v3CertificateBuilder builder = builder(issuerName, name, pair);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            // A root has no path-length limit; an intermediate may sign only leaves.
            builder.addExtension(Extension.basicConstraints, true,
                    parent == null ? new BasicConstraints(true) : new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    ext.createSubjectKeyIdentifier(pair.getPublic()));
            if (parent != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        ext.createAuthorityKeyIdentifier(parent.certificate()));
            }
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new Issuer(sign(builder, signingKey), pair.getPrivate());
    }

    private static X509Certificate leaf(String subject, Issuer issuer, KeyPair pair, KeyPurposeId purpose,
            GeneralNames names) throws GeneralSecurityException {
        JcaX509v3CertificateBuilder builder =
                builder(issuer.certificate().getSubjectX500Principal(), new X500Principal(subject), pair);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            // digitalSignature for ECDHE/TLS 1.3, keyEncipherment for RSA key exchange: what public CAs issue.
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    ext.createSubjectKeyIdentifier(pair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(issuer.certificate()));
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return sign(builder, issuer.key());
    }

    private static JcaX509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair pair) {
        // Back-dated a little so a client whose clock is slightly behind still accepts it.
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }
}
