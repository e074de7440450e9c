package dev.berth.server.tls;

import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The {@code http.tls} section of a distribution-style {@code config.yml}, checked as far as it can be without
 * reading files: an instance always has a certificate and a key path, a supported minimum version and only cipher
 * suite names this JVM knows. The files themselves are read (and their errors reported) by
 * {@link TlsConnectors}. Every error is an {@link IllegalArgumentException} whose message starts with the config key
 * ({@code http.tls.minimumtls: ...}), so startup can stop with a message the operator can act on. Immutable.
 *
 * @param certificate PEM file: the server certificate first, then any intermediate certificates
 * @param key PEM private key (RSA or EC; PKCS#1, SEC1 or PKCS#8; not encrypted)
 * @param clientCas PEM files of the CAs that sign client certificates; non-empty means mTLS (a client certificate
 *     is required); {@code null} means none
 * @param minimumTls {@code tls1.2} (the default, also for {@code null} or blank) or {@code tls1.3}
 * @param cipherSuites IANA names of the TLS 1.2 suites to allow, in the JDK's spelling; {@code null} or empty
 *     means the JDK's defaults without the weak ones
 */
public record TlsSettings(Path certificate, Path key, List<Path> clientCas, String minimumTls, List<String> cipherSuites) {
    /** distribution's default, and the lowest version this server agrees to speak. */
    public static final String DEFAULT_MINIMUM_TLS = "tls1.2";

    public TlsSettings {
        if (certificate == null) {
            throw new IllegalArgumentException("http.tls.certificate: required when TLS is configured");
        }
        if (key == null) {
            throw new IllegalArgumentException("http.tls.key: required when TLS is configured");
        }
        clientCas = clientCas == null ? List.of() : List.copyOf(noNulls(clientCas, "http.tls.clientcas"));
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(noNulls(cipherSuites, "http.tls.ciphersuites"));
        minimumTls = minimumTls == null || minimumTls.isBlank() ? DEFAULT_MINIMUM_TLS
                : minimumTls.trim().toLowerCase(Locale.ROOT);
        switch (minimumTls) {
            case "tls1.2", "tls1.3" -> { }
            // distribution accepts these; we do not, since both have known weaknesses (RFC 8996 deprecates them).
            case "tls1.0", "tls1.1" -> throw new IllegalArgumentException("http.tls.minimumtls: " + minimumTls
                    + " is insecure (deprecated by RFC 8996) and not supported; use tls1.2 or tls1.3");
            default -> throw new IllegalArgumentException("http.tls.minimumtls: unknown value '" + minimumTls
                    + "'; use tls1.2 or tls1.3");
        }
        Set<String> known = supportedCipherSuites();
        for (String suite : cipherSuites) {
            if (!known.contains(suite)) {
                throw new IllegalArgumentException("http.tls.ciphersuites: unknown cipher suite '" + suite
                        + "' (use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
            }
        }
    }

    /** Whether clients must present a certificate signed by one of {@link #clientCas()}. */
    public boolean clientCertificateRequired() {
        return !clientCas.isEmpty();
    }

    private static <T> List<T> noNulls(List<T> list, String configKey) {
        // List.contains(null) throws on immutable lists, hence the stream.
        if (list.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(configKey + ": has an empty entry");
        }
        return list;
    }

    private static Set<String> supportedCipherSuites() {
        try {
            return Arrays.stream(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites())
                    .collect(Collectors.toUnmodifiableSet());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS implementation", e);
        }
    }
}
