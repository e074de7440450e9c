package dev.berth.server.tls;

import dev.berth.registry.diagnostics.Failures;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the HTTPS connector of the standalone server from {@link TlsSettings}: HTTP/2 (negotiated with ALPN) and
 * HTTP/1.1 over TLS 1.2+ (or 1.3 only), with the certificate and key read straight from PEM files as
 * distribution's {@code config.yml} names them, so an operator moving from {@code registry:2} keeps the files.
 *
 * <p>Promises: every problem with the files (missing, unreadable, no certificate, encrypted key, key that is not the
 * certificate's) is found here, before the server starts, and reported as an {@link IllegalArgumentException} whose
 * message starts with the config key. When {@code clientcas} is non-empty, a client without a certificate signed by
 * one of those CAs cannot complete the handshake. Stateless and thread-safe.
 *
 * <p>BouncyCastle is used only to parse PEM; keys and certificates are converted to the JDK's own classes and the
 * JDK's TLS does the rest, so no security provider is registered (and an unsigned, shaded BouncyCastle is enough).
 */
public final class TlsConnectors {
    private static final JcaX509CertificateConverter CERTIFICATES = new JcaX509CertificateConverter();
    private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();

    private static final Logger LOG = LoggerFactory.getLogger(TlsConnectors.class);

    private TlsConnectors() {
    }

    /**
     * An expired or soon-expiring certificate still starts the server (an operator may be mid-rotation), but says so
     * at startup, where it is cheap to notice, rather than only in every client's handshake error.
     */
    static String warnIfExpiring(X509Certificate leaf, TlsSettings tls, Instant now) {
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        String warning = null;
        if (now.isAfter(notAfter)) {
            warning = "expired on " + notAfter + "; clients will refuse it";
        } else if (now.isBefore(notBefore)) {
            warning = "is not valid before " + notBefore + "; clients will refuse it until then";
        } else if (Duration.between(now, notAfter).toDays() < 14) {
            warning = "expires on " + notAfter + ", in less than 14 days";
        }
        if (warning != null) {
            LOG.warn("http.tls.certificate: {} {}", tls.certificate(), warning);
        }
        return warning;
    }

    /**
     * An HTTPS connector on {@code host:port} (port 0: any free port; host {@code null}: all interfaces), not yet
     * added to {@code server}. Requests on it see {@code https} as their scheme and {@code isSecure()} true.
     *
     * @param http the plain-HTTP configuration to start from; it is copied, not changed
     * @throws IllegalArgumentException naming the config key, when a file is missing or wrong
     */
    public static ServerConnector create(Server server, HttpConfiguration http, TlsSettings tls, String host, int port) {
        return create(server, http, tls, host, port, true);
    }

    /** As {@link #create(Server, HttpConfiguration, TlsSettings, String, int)}; without {@code http2}, HTTP/1.1 only. */
    public static ServerConnector create(Server server, HttpConfiguration http, TlsSettings tls, String host, int port,
            boolean http2) {
        ServerConnector connector = new ServerConnector(server, connectionFactories(http, tls, http2));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /**
     * What an HTTPS connector speaks, the TLS factory first, for a caller that builds the connector itself (one that
     * enforces limits, say); see {@link #create(Server, HttpConfiguration, TlsSettings, String, int, boolean)}.
     *
     * @throws IllegalArgumentException naming the config key, when a file is missing or wrong
     */
    public static ConnectionFactory[] connectionFactories(HttpConfiguration http, TlsSettings tls, boolean http2) {
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach a registry by IP (127.0.0.1, a node's address) as often as by name; refusing a Host that the
        // certificate does not name is the client's job (it verifies the certificate), not the server's.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);

        HttpConnectionFactory http11 = new HttpConnectionFactory(https);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http11.getProtocol());
        // A client that offers no ALPN (curl --http1.1, older Docker clients) gets HTTP/1.1.
        alpn.setDefaultProtocol(http11.getProtocol());
        return http2
                ? new ConnectionFactory[] {new SslConnectionFactory(sslContextFactory(tls), alpn.getProtocol()), alpn,
                        h2, http11}
                : new ConnectionFactory[] {new SslConnectionFactory(sslContextFactory(tls), http11.getProtocol()),
                        http11};
    }

    /**
     * The TLS half of {@link #create}, for a caller that builds its own connector (a debug port, say): the key store
     * is built in memory from the PEM files, so nothing secret is written to disk.
     *
     * @throws IllegalArgumentException naming the config key, when a file is missing or wrong
     */
    public static SslContextFactory.Server sslContextFactory(TlsSettings tls) {
        List<X509Certificate> chain = readCertificates(tls.certificate(), "http.tls.certificate");
        PrivateKey key = readPrivateKey(tls.key());
        if (!"RSA".equals(key.getAlgorithm()) && !"EC".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("http.tls.key: " + tls.key() + " holds a " + key.getAlgorithm()
                    + " key; only RSA and EC keys are supported");
        }
        requireMatch(key, chain.get(0), tls);
        warnIfExpiring(chain.get(0), tls, Instant.now());

        SslContextFactory.Server factory = new SslContextFactory.Server();
        // The password only guards an in-memory store that lives as long as the factory, so any will do; one is
        // needed because the JDK's PKCS12 stores a private key only under a password.
        String password = HexFormat.of().formatHex(randomBytes(16));
        factory.setKeyStore(keyStore(key, chain, password));
        factory.setKeyStorePassword(password);
        factory.setKeyManagerPassword(password);

        if (tls.clientCertificateRequired()) {
            factory.setTrustStore(trustStore(tls.clientCas()));
            factory.setNeedClientAuth(true);
        }
        factory.setIncludeProtocols(protocols(tls.minimumTls()));
        if (!tls.cipherSuites().isEmpty()) {
            factory.setIncludeCipherSuites(cipherSuites(tls.cipherSuites()));
            // An operator's explicit list means what it says; Jetty's default exclusions only shape the default.
            // (The JDK's jdk.tls.disabledAlgorithms still removes the broken ones: NULL, anon, RC4, 3DES.)
            factory.setExcludeCipherSuites();
        }
        // HTTP/2 refuses the suites RFC 7540 blacklists; putting the acceptable ones first keeps h2 negotiable.
        factory.setCipherComparator(HTTP2Cipher.COMPARATOR);
        return factory;
    }

    private static String[] protocols(String minimumTls) {
        return "tls1.3".equals(minimumTls) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
    }

    /**
     * As in distribution (Go), {@code ciphersuites} configures TLS 1.2; TLS 1.3 has only strong suites, so the JDK's
     * are kept unless the list names some itself. Without this, a TLS 1.2-only list with {@code tls1.3} as minimum
     * would leave no suite at all.
     */
    private static String[] cipherSuites(List<String> configured) {
        Set<String> suites = new LinkedHashSet<>(configured);
        if (configured.stream().noneMatch(TlsConnectors::isTls13Suite)) {
            try {
                Arrays.stream(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites())
                        .filter(TlsConnectors::isTls13Suite)
                        .forEach(suites::add);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no default TLS implementation", e);
            }
        }
        return suites.toArray(String[]::new);
    }

    private static boolean isTls13Suite(String name) {
        // TLS 1.3 suite names carry no key exchange: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, ...
        return !name.contains("_WITH_");
    }

    /** All certificates in a PEM file, in file order (leaf first); anything else in the file is ignored. */
    private static List<X509Certificate> readCertificates(Path file, String configKey) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object pem : readPem(file, configKey)) {
            if (pem instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(CERTIFICATES.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(configKey + ": bad certificate in " + file + ": "
                            + Failures.describe(e), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(configKey + ": no PEM certificate (BEGIN CERTIFICATE) in " + file);
        }
        return certificates;
    }

    /** The first private key in a PEM file; "BEGIN EC PARAMETERS" blocks and certificates before it are skipped. */
    private static PrivateKey readPrivateKey(Path file) {
        for (Object pem : readPem(file, "http.tls.key")) {
            try {
                if (pem instanceof PEMKeyPair pair) { // PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"
                    // Not getKeyPair(): the public key is optional in SEC1, and the certificate carries it anyway.
                    return KEYS.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (pem instanceof PrivateKeyInfo info) { // PKCS#8 "PRIVATE KEY"
                    return KEYS.getPrivateKey(info);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("http.tls.key: unusable private key in " + file + " (RSA and EC"
                        + " keys are supported): " + Failures.describe(e), e);
            }
            if (pem instanceof PEMEncryptedKeyPair || pem instanceof PKCS8EncryptedPrivateKeyInfo) {
                // A passphrase would have to sit in the config or an environment variable next to the key, which
                // protects nothing; distribution does not support it either.
                throw new IllegalArgumentException("http.tls.key: " + file + " holds an encrypted private key, which"
                        + " is not supported; decrypt it (openssl pkey -in KEY -out PLAIN.key) and protect the file");
            }
        }
        throw new IllegalArgumentException("http.tls.key: no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE"
                + " KEY or BEGIN EC PRIVATE KEY) in " + file);
    }

    private static List<Object> readPem(Path file, String configKey) {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object pem = parser.readObject(); pem != null; pem = parser.readObject()) {
                objects.add(pem);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(configKey + ": no such file " + file, e);
        } catch (IOException e) { // unreadable, or a PEM block whose content is broken
            throw new IllegalArgumentException(configKey + ": cannot read PEM file " + file + ": " + e, e);
        }
        return objects;
    }

    /**
     * Without this check a wrong key would only show as every handshake failing; signing with the key and verifying
     * with the certificate works for RSA and EC alike and needs no key arithmetic.
     */
    private static void requireMatch(PrivateKey key, X509Certificate leaf, TlsSettings tls) {
        PublicKey publicKey = leaf.getPublicKey();
        String mismatch = "http.tls.key: the private key in " + tls.key() + " does not belong to the certificate in "
                + tls.certificate() + " (" + leaf.getSubjectX500Principal() + ")";
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            throw new IllegalArgumentException(mismatch + ": a " + key.getAlgorithm() + " key for a "
                    + publicKey.getAlgorithm() + " certificate");
        }
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            byte[] challenge = randomBytes(32);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException(mismatch);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(mismatch + ": " + Failures.describe(e), e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static KeyStore keyStore(PrivateKey key, List<X509Certificate> chain, String password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password.toCharArray(), chain.toArray(X509Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("http.tls.key: cannot use the key with the certificate chain in "
                    + "http.tls.certificate: " + Failures.describe(e), e);
        }
    }

    private static KeyStore trustStore(List<Path> clientCas) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (Path file : clientCas) {
                for (X509Certificate ca : readCertificates(file, "http.tls.clientcas")) {
                    store.setCertificateEntry("ca-" + n++, ca);
                }
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build an in-memory trust store", e);
        }
    }
}
