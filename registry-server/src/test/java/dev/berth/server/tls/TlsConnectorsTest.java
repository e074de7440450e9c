package dev.berth.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.servlet.RegistryServlet;
import dev.berth.server.tls.TestPki.Identity;
import dev.berth.server.tls.TestPki.KeyFormat;
import dev.berth.server.tls.TestPki.KeyType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsConnectorsTest {
    @TempDir
    static Path dir;
    static TestPki pki;

    private Server server;
    private ServerConnector connector;
    private Registry registry;

    @BeforeAll
    static void makePki() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "RSA, TRADITIONAL, -----BEGIN RSA PRIVATE KEY-----",
        "RSA, PKCS8, -----BEGIN PRIVATE KEY-----",
        "EC, TRADITIONAL, -----BEGIN EC PARAMETERS-----",
        "EC, PKCS8, -----BEGIN PRIVATE KEY-----"})
    void servesTheApiWithEveryKeyForm(KeyType type, KeyFormat format, String header) throws Exception {
        Identity id = pki.server(type, format, false);
        assertThat(Files.readString(id.keyFile())).startsWith(header);
        int port = start(settings(id));

        HttpResponse<String> response = get(client(pki.clientContext()), port, "/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Test
    void sendsTheIntermediateSoAClientTrustingOnlyTheRootConnects() throws Exception {
        Identity id = pki.server(KeyType.EC, KeyFormat.PKCS8, true);
        int port = start(settings(id));

        HttpResponse<String> response = get(client(pki.clientContext()), port, "/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        SSLSession session = response.sslSession().orElseThrow();
        assertThat(session.getPeerCertificates()).containsExactlyElementsOf(id.chain()).hasSize(2);
    }

    @Test
    void negotiatesHttp2WithAlpnAndStillServesHttp11() throws Exception {
        int port = start(settings(pki.server()));

        HttpResponse<String> h2 = get(HttpClient.newBuilder().sslContext(pki.clientContext())
                .version(HttpClient.Version.HTTP_2).build(), port, "/v2/");
        HttpResponse<String> h1 = get(HttpClient.newBuilder().sslContext(pki.clientContext())
                .version(HttpClient.Version.HTTP_1_1).build(), port, "/v2/");

        assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(h1.statusCode()).isEqualTo(200);
    }

    @Test
    void requestsOnTheConnectorAreSecureWithSchemeHttps() throws Exception {
        int port = start(settings(pki.server()));

        HttpResponse<String> response = get(client(pki.clientContext()), port, "/scheme");

        assertThat(response.body()).isEqualTo("https secure=true");
    }

    @Test
    void refusesATls11ClientAndOffersOnlyTls12AndUp() throws Exception {
        int port = start(settings(pki.server()));

        assertThatThrownBy(() -> get(client(pki.clientContext(), "TLSv1.1"), port, "/v2/"))
                .isInstanceOf(IOException.class);
        // The JDK disables TLS 1.1 on its own too, so the failed handshake alone would not prove our setting: the
        // server must also not list it.
        assertThat(sslContextFactory().getSelectedProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(get(client(pki.clientContext(), "TLSv1.2"), port, "/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void minimumTls13RefusesATls12Client() throws Exception {
        Identity id = pki.server();
        int port = start(new TlsSettings(id.certificateFile(), id.keyFile(), null, "tls1.3", null));

        assertThatThrownBy(() -> get(client(pki.clientContext(), "TLSv1.2"), port, "/v2/"))
                .isInstanceOf(IOException.class);
        HttpResponse<String> tls13 = get(client(pki.clientContext(), "TLSv1.3"), port, "/v2/");
        assertThat(tls13.statusCode()).isEqualTo(200);
        assertThat(tls13.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void withClientCasOnlyAClientCertificateFromThoseCasGetsIn() throws Exception {
        Identity id = pki.server();
        int port = start(new TlsSettings(id.certificateFile(), id.keyFile(), List.of(pki.clientCaFile()), null, null));
        TestPki stranger = TestPki.create(dir.resolve("stranger"));

        assertThatThrownBy(() -> get(client(pki.clientContext()), port, "/v2/")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(client(pki.clientContext(stranger.client())), port, "/v2/"))
                .isInstanceOf(IOException.class);
        assertThat(get(client(pki.clientContext(pki.client())), port, "/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void everyFileOfClientCasIsTrusted() throws Exception {
        Identity id = pki.server();
        TestPki second = TestPki.create(dir.resolve("second"));
        int port = start(new TlsSettings(id.certificateFile(), id.keyFile(),
                List.of(pki.clientCaFile(), second.clientCaFile()), null, null));

        assertThat(get(client(pki.clientContext(second.client())), port, "/v2/").statusCode()).isEqualTo(200);
        assertThat(get(client(pki.clientContext(pki.client())), port, "/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void aCipherSuiteListLimitsTls12ButKeepsTls13() throws Exception {
        Identity id = pki.server();
        String allowed = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        int port = start(new TlsSettings(id.certificateFile(), id.keyFile(), null, null, List.of(allowed)));

        HttpResponse<String> tls12 = get(client(pki.clientContext(), "TLSv1.2"), port, "/v2/");
        assertThat(tls12.sslSession().orElseThrow().getCipherSuite()).isEqualTo(allowed);
        SSLParameters other = new SSLParameters(new String[] {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
                new String[] {"TLSv1.2"});
        assertThatThrownBy(() -> get(HttpClient.newBuilder().sslContext(pki.clientContext()).sslParameters(other)
                .build(), port, "/v2/")).isInstanceOf(IOException.class);
        assertThat(get(client(pki.clientContext(), "TLSv1.3"), port, "/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void aMissingFileIsReportedWithItsKey() throws Exception {
        Identity id = pki.server();
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(missing, id.keyFile(), null, null,
                null))).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.tls.certificate:")
                .hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(id.certificateFile(), missing, null,
                null, null))).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.tls.key:");
        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(id.certificateFile(), id.keyFile(),
                List.of(missing), null, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.clientcas:");
    }

    @Test
    void filesWithoutWhatTheyShouldHoldAreReportedWithTheirKey() throws Exception {
        Identity id = pki.server();

        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(id.keyFile(), id.keyFile(), null,
                null, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.certificate: no PEM certificate");
        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(id.certificateFile(),
                id.certificateFile(), null, null, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.key: no PEM private key");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        Identity one = pki.server(KeyType.RSA, KeyFormat.PKCS8, false);
        Identity rsa = pki.server(KeyType.RSA, KeyFormat.TRADITIONAL, false);
        Identity ec = pki.server(KeyType.EC, KeyFormat.PKCS8, false);

        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(one.certificateFile(), rsa.keyFile(),
                null, null, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.key:").hasMessageContaining("does not belong to the certificate");
        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(new TlsSettings(one.certificateFile(), ec.keyFile(),
                null, null, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.key:").hasMessageContaining("does not belong to the certificate");
    }

    @ParameterizedTest
    @CsvSource({"ENCRYPTED_PKCS8, BEGIN ENCRYPTED PRIVATE KEY", "ENCRYPTED_TRADITIONAL, Proc-Type: 4,ENCRYPTED"})
    void anEncryptedKeyIsRefusedAsUnsupported(KeyFormat format, String marker) throws Exception {
        Identity id = pki.server(KeyType.RSA, format, false);
        assertThat(Files.readString(id.keyFile())).contains(marker);

        assertThatThrownBy(() -> TlsConnectors.sslContextFactory(settings(id)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.key:").hasMessageContaining("encrypted private key")
                .hasMessageContaining("not supported");
    }

    @Test
    void anUnknownCipherSuiteIsNamed() {
        assertThatThrownBy(() -> new TlsSettings(Path.of("a.crt"), Path.of("a.key"), null, null,
                List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_MADE_UP_WITH_ROT13")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.ciphersuites:").hasMessageContaining("TLS_MADE_UP_WITH_ROT13");
    }

    @ParameterizedTest
    @CsvSource({"tls1.0", "tls1.1"})
    void oldTlsVersionsAreRefusedAsInsecure(String version) {
        assertThatThrownBy(() -> new TlsSettings(Path.of("a.crt"), Path.of("a.key"), null, version, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.tls.minimumtls: " + version).hasMessageContaining("insecure");
    }

    @Test
    void anExpiredNotYetValidOrSoonExpiringCertificateIsWarnedAbout() throws Exception {
        X509Certificate leaf = pki.server().chain().get(0); // valid from an hour ago for 30 days
        TlsSettings tls = new TlsSettings(Path.of("a.crt"), Path.of("a.key"), null, null, null);
        Instant now = Instant.now();
        assertThat(TlsConnectors.warnIfExpiring(leaf, tls, now)).isNull();
        assertThat(TlsConnectors.warnIfExpiring(leaf, tls, now.plus(Duration.ofDays(20))))
                .startsWith("expires on");
        assertThat(TlsConnectors.warnIfExpiring(leaf, tls, now.plus(Duration.ofDays(31))))
                .startsWith("expired on");
        assertThat(TlsConnectors.warnIfExpiring(leaf, tls, now.minus(Duration.ofDays(1))))
                .startsWith("is not valid before");
    }

    @Test
    void settingsHaveDistributionsDefaultsAndRefuseNonsense() {
        TlsSettings defaults = new TlsSettings(Path.of("a.crt"), Path.of("a.key"), null, null, null);
        assertThat(defaults.minimumTls()).isEqualTo("tls1.2");
        assertThat(defaults.clientCas()).isEmpty();
        assertThat(defaults.cipherSuites()).isEmpty();
        assertThat(defaults.clientCertificateRequired()).isFalse();

        assertThatThrownBy(() -> new TlsSettings(Path.of("a.crt"), Path.of("a.key"), null, "ssl3", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.tls.minimumtls:");
        assertThatThrownBy(() -> new TlsSettings(null, Path.of("a.key"), null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.tls.certificate:");
        assertThatThrownBy(() -> new TlsSettings(Path.of("a.crt"), null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("http.tls.key:");
    }

    private static TlsSettings settings(Identity id) {
        return new TlsSettings(id.certificateFile(), id.keyFile(), null, null, null);
    }

    /** Serves the registry as BerthServer does, plus a probe of what a servlet sees of the connection. */
    private int start(TlsSettings tls) throws Exception {
        registry = Registry.builder().storage("inmemory", Map.of()).build();
        server = new Server();
        connector = TlsConnectors.create(server, new HttpConfiguration(), tls, "127.0.0.1", 0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder("registry", new RegistryServlet(registry)), "/*");
        context.addServlet(new ServletHolder("scheme", new SchemeProbe()), "/scheme");
        server.setHandler(context);
        server.start();
        return connector.getLocalPort();
    }

    private SslContextFactory sslContextFactory() {
        return connector.getConnectionFactory(SslConnectionFactory.class).getSslContextFactory();
    }

    private static HttpClient client(SSLContext context, String... protocols) {
        HttpClient.Builder builder = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10));
        if (protocols.length > 0) {
            SSLParameters parameters = context.getDefaultSSLParameters();
            parameters.setProtocols(protocols);
            builder.sslParameters(parameters);
        }
        return builder.build();
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final class SchemeProbe extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().print(request.getScheme() + " secure=" + request.isSecure());
        }
    }
}
