package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A server bound to the IPv6 loopback ({@code ::1}, which this machine and CI's have) names itself in URL form,
 * {@code http://[::1]:port/v2/}, and what it names can be reached.
 */
class Ipv6AddressTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theStartupLinesNameAnIpv6AddressInBracketsAndTheUrlsWork() throws Exception {
        ServerConfig config = ConfigLoader.parse("""
                version: 0.1
                storage: {inmemory: {}}
                http:
                  addr: '[::1]:0'
                  prefix: /reg
                  debug: {addr: '[::1]:0', prometheus: {enabled: true}}
                """, Map.of());
        try (BerthServer server = Main.serve(config)) {
            String registry = "http://[::1]:" + server.port() + "/reg/v2/";
            String health = "http://[::1]:" + server.debugPort().orElseThrow() + "/debug/health";
            assertThat(server.url()).isEqualTo(registry);
            assertThat(server.debugUrl()).contains(health);
            List<String> lines = Main.listeningLines(server, config);
            assertThat(lines).containsExactly("debug server listening on " + health + " and /metrics",
                    "Berth registry listening on " + registry + " with inmemory storage and no cache");

            for (String url : List.of(registry, health)) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(url).isEqualTo(200);
            }
        }
    }

    /** Without a Host header (HTTP/1.0) an upload's Location is built from the address the request came to. */
    @Test
    void aLocationBuiltFromTheServersOwnIpv6AddressHasBrackets() throws Exception {
        ServerConfig config = ConfigLoader.parse("version: 0.1\nstorage: {inmemory: {}}\nhttp: {addr: '[::1]:0'}\n",
                Map.of());
        try (BerthServer server = Main.serve(config); Socket s = new Socket("::1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("POST /v2/demo/blobs/uploads/ HTTP/1.0\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 202 ");
            Matcher location = Pattern.compile("(?i)\r\nLocation: ([^\r]+)\r\n")
                    .matcher(response);
            assertThat(location.find()).as(response).isTrue();
            // Jetty writes the address in full ([0:0:0:0:0:0:0:1]); in brackets either way, so it is a URL.
            URI uri = URI.create(location.group(1));
            assertThat(uri.getHost()).startsWith("[").endsWith("]");
            assertThat(InetAddress.getByName(uri.getHost()).isLoopbackAddress()).isTrue();
            assertThat(uri.getPort()).isEqualTo(server.port());
            assertThat(uri.getPath()).startsWith("/v2/demo/blobs/uploads/");
        }
    }
}
