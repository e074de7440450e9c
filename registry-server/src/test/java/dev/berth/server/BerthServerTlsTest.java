package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import dev.berth.server.tls.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server built from a configuration with {@code http.tls}: HTTPS, HTTP/2 by default, mTLS with clientcas. */
class BerthServerTlsTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;
    static TestPki.Identity cert;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(pkiDir);
        cert = pki.server(TestPki.KeyType.RSA, TestPki.KeyFormat.PKCS8, false);
    }

    static ServerConfig config(String http) {
        return ConfigLoader.parse("version: 0.1\nstorage: {inmemory: {}}\nhttp:\n  addr: 127.0.0.1:0\n  tls:\n"
                + "    certificate: " + cert.certificateFile() + "\n    key: " + cert.keyFile() + "\n" + http, Map.of());
    }

    static HttpResponse<String> get(BerthServer server, HttpClient client) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v2/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHttpsWithHttp2ByDefaultAndHttp11WhenDisabled() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().sslContext(pki.clientContext()).version(HttpClient.Version.HTTP_2)
                .build();
        try (BerthServer server = Main.serve(config(""))) {
            assertThat(server.scheme()).isEqualTo("https");
            HttpResponse<String> r = get(server, h2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
        try (BerthServer server = Main.serve(config("  http2:\n    disabled: true\n"))) {
            assertThat(get(server, h2).version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void clientCasRequireAClientCertificate() throws Exception {
        ServerConfig mtls = config("    clientcas: [" + pki.clientCaFile() + "]\n");
        try (BerthServer server = Main.serve(mtls)) {
            HttpClient withCert = HttpClient.newBuilder().sslContext(pki.clientContext(pki.client())).build();
            assertThat(get(server, withCert).statusCode()).isEqualTo(200);
            HttpClient without = HttpClient.newBuilder().sslContext(pki.clientContext()).build();
            assertThatThrownBy(() -> get(server, without)).isInstanceOf(IOException.class);
        }
    }
}
