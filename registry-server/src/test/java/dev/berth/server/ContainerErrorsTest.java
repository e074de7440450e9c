package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.servlet.RegistryErrorPages;
import dev.berth.server.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests that Jetty refuses itself, before the registry's servlet sees them or inside the servlet context, are
 * answered with the spec's JSON error body and the registry's headers, never Jetty's HTML page. The requests are
 * written on raw sockets: an HTTP client would not send most of them.
 */
class ContainerErrorsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;
    BerthServer server;

    /** The standalone server as {@code serve} builds it: with the built-in token issuer and a configured header. */
    @BeforeEach
    void start() throws Exception {
        Path users = Files.writeString(work.resolve("htpasswd"), "");
        server = Main.serve(ConfigLoader.parse("""
                version: 0.1
                storage: {inmemory: {}}
                http:
                  addr: 127.0.0.1:0
                  headers: {X-Frame-Options: [DENY]}
                auth:
                  token:
                    realm: http://127.0.0.1/auth/token
                    service: berth-test
                    issuer: berth-test
                    builtin: {htpasswd: {path: %s}}
                """.formatted(users), Map.of()));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            GET /v2/%2e%2e/x HTTP/1.1                        | 400 | Ambiguous URI path segment
            GET /v2/library/%2e%2e/%2e%2e/x/tags/list HTTP/1.1 | 400 | Ambiguous URI path segment
            GET /v2/a%2fb/tags/list HTTP/1.1                 | 400 | Ambiguous URI path separator
            GET /v2/a%00b/tags/list HTTP/1.1                 | 400 | Bad Request
            GET /v2/a%zzb/tags/list HTTP/1.1                 | 400 | Bad Request
            GET /v2/a%5cb/tags/list HTTP/1.1                 | 400 | Suspicious Path Character
            PUT /v2/%2e%2e/x/manifests/latest HTTP/1.1       | 400 | Ambiguous URI path segment
            DELETE /v2/%2e%2e/x/manifests/latest HTTP/1.1    | 400 | Ambiguous URI path segment
            BLAH                                             | 400 | No URI
            GET /v2/ HTTP/9.9                                | 505 | Unknown Version
            GET /auth/token?service=%zz HTTP/1.1             | 400 | Unable to parse URI query
            GET /auth/token?service=berth-test&scope=%zz HTTP/1.1 | 400 | Unable to parse URI query
            """)
    void aRequestJettyRefusesGetsTheSpecsJsonErrorBody(String requestLine, int status, String detail)
            throws Exception {
        Answer a = send(requestLine + "\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertRegistryError(a, status, ErrorCode.UNSUPPORTED, detail);
    }

    /**
     * What Jetty refuses before any handler sees it is a request like any other in the metrics (and the access log,
     * which the same observer writes): counted once, under its status, before the answer goes out.
     */
    @Test
    void whatJettyRefusesBeforeAnyHandlerIsCountedInTheMetrics() throws Exception {
        assertThat(send("BLAH\r\nHost: localhost\r\nConnection: close\r\n\r\n").status()).isEqualTo(400);
        assertThat(send("GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n").status()).isEqualTo(400);
        assertThat(send("GET /v2/ HTTP/9.9\r\nHost: localhost\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(505);
        assertThat(requests("400")).isEqualTo(2);
        assertThat(requests("505")).isEqualTo(1);
        assertThat(server.metrics().scrape()).contains("berth_http_requests_seconds_count{method=\"GET\","
                + "route=\"other\",status=\"400\"} 1"); // the one without Host; Jetty's parser kept its method
    }

    private long requests(String status) {
        return server.metrics().meterRegistry().find("berth.http.requests").tag("status", status).timers().stream()
                .mapToLong(t -> t.count()).sum();
    }

    @Test
    void aUriOverTheLimitIs414InJson() throws Exception {
        Answer a = send("GET /v2/" + "a".repeat(20_000) + "/tags/list HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n");
        assertRegistryError(a, 414, ErrorCode.UNSUPPORTED, "URI Too Long");
    }

    @Test
    void headersOverTheLimitAre431InJson() throws Exception {
        Answer a = send("GET /v2/ HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "p".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");
        assertRegistryError(a, 431, ErrorCode.UNSUPPORTED, "Request Header Fields Too Large");
    }

    @Test
    void aRequestWithoutHostIs400InJson() throws Exception {
        assertRegistryError(send("GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n"), 400, ErrorCode.UNSUPPORTED,
                "No Host");
    }

    @Test
    void aBadContentLengthIs400InJson() throws Exception {
        assertRegistryError(send("PUT /v2/a/blobs/uploads/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: many\r\n"
                + "Connection: close\r\n\r\n"), 400, ErrorCode.UNSUPPORTED, "Invalid Content-Length Value");
    }

    @Test
    void aClientAskingForHtmlStillGetsJson() throws Exception {
        Answer a = send("GET /v2/%2e%2e/x HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
                + "Connection: close\r\n\r\n");
        assertRegistryError(a, 400, ErrorCode.UNSUPPORTED, "Ambiguous URI path segment");
    }

    @Test
    void headGetsTheHeadersWithoutABody() throws Exception {
        Answer a = send("HEAD /v2/%2e%2e/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", true);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.header("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(a.header("Content-Type")).isEqualTo("application/json");
        assertThat(a.body()).isEmpty();
    }

    /** The token endpoint reads its form itself (without holding a thread): a broken one is its own JSON error. */
    @Test
    void aMalformedFormOnTheTokenEndpointIsAnsweredInJson() throws Exception {
        String form = "grant_type=%zz&username=%%%&password=x";
        Answer a = send("POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                + "application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n"
                + "Connection: close\r\n\r\n" + form);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.header("Content-Type")).startsWith("application/json");
        assertThat(JSON.readTree(a.body()).path("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void everyStatusHasACodeOfTheSpecAndAServerFailureShowsNoReason() {
        assertThat(ContainerErrorHandler.codeFor(400).value()).isEqualTo("UNSUPPORTED");
        assertThat(ContainerErrorHandler.codeFor(401).value()).isEqualTo("UNAUTHORIZED");
        assertThat(ContainerErrorHandler.codeFor(403).value()).isEqualTo("DENIED");
        assertThat(ContainerErrorHandler.codeFor(404).value()).isEqualTo("NOT_FOUND");
        assertThat(ContainerErrorHandler.codeFor(405).value()).isEqualTo("UNSUPPORTED");
        assertThat(ContainerErrorHandler.codeFor(413).value()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(ContainerErrorHandler.codeFor(414).value()).isEqualTo("UNSUPPORTED");
        assertThat(ContainerErrorHandler.codeFor(416).value()).isEqualTo("RANGE_INVALID");
        assertThat(ContainerErrorHandler.codeFor(429).value()).isEqualTo("TOOMANYREQUESTS");
        assertThat(ContainerErrorHandler.codeFor(431).value()).isEqualTo("UNSUPPORTED");
        assertThat(ContainerErrorHandler.codeFor(500).value()).isEqualTo("UNKNOWN");
        assertThat(ContainerErrorHandler.codeFor(503).value()).isEqualTo("UNAVAILABLE");
        assertThat(ContainerErrorHandler.codeFor(505).value()).isEqualTo("UNSUPPORTED");
        assertThat(new String(RegistryErrorPages.body(500, "java.lang.IllegalStateException: at x.y"),
                StandardCharsets.UTF_8)).doesNotContain("IllegalState", "x.y");
        assertThat(new String(RegistryErrorPages.body(400, "Illegal character\u0000\n"),
                StandardCharsets.UTF_8)).contains("(Illegal character??)");
    }

    private static void assertRegistryError(Answer a, int status, ErrorCode code, String detail) throws IOException {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(a.header("X-Frame-Options")).as("the configured http.headers").isEqualTo("DENY");
        assertThat(a.header("Content-Type")).isEqualTo("application/json");
        assertThat(a.body()).doesNotContain("<html", "org.eclipse.jetty", "Exception");
        JsonNode errors = JSON.readTree(a.body()).path("errors");
        assertThat(errors.size()).isEqualTo(1);
        assertThat(errors.get(0).path("code").asText()).isEqualTo(code.value());
        assertThat(errors.get(0).path("message").asText()).isEqualTo(RegistryErrorPages.codeFor(status).message());
        assertThat(errors.get(0).path("detail").asText()).contains(detail);
    }

    private Answer send(String request) throws IOException {
        return send(request, false);
    }

    /** Writes {@code request} as it is and reads one response: its head, then Content-Length bytes of body. */
    private Answer send(String request, boolean head) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000); // a guard against a hang, not a wait: every read returns as soon as bytes come
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String[] lines = readHead(in).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new Answer(status, headers, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                return head.substring(0, head.length() - 4);
            }
        }
        throw new IOException("the connection closed before the response's head ended: " + head);
    }
}
