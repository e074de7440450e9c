package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server serves the web console at {@code ui.path} below its prefix, unless {@code ui.enabled} is false. */
class ServerConsoleTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path dir;

    private static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String base(BerthServer server) {
        return server.url().replaceFirst("/v2/$", "");
    }

    private static void push(BerthServer server, String name, String tag) throws Exception {
        Repository repo = server.registry().repository(name);
        byte[] cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        repo.uploads().put(Digest.sha256(cfg), new ByteArrayInputStream(cfg));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(cfg)
                + "\",\"size\":" + cfg.length + "},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        repo.manifests().put(Reference.of(new Tag(tag)), MediaTypes.OCI_MANIFEST, manifest);
    }

    @Test
    void theConsoleIsServedAtUiBelowThePrefixByDefault() throws Exception {
        ServerConfig config = ConfigLoader.load(Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage: {inmemory: {}}
                http: {addr: '127.0.0.1:0', prefix: /reg}
                """), Map.of());
        assertThat(config.ui()).isEqualTo(ServerConfig.Ui.DEFAULT);
        try (BerthServer server = Main.serve(config)) {
            push(server, "team/app", "1.0");
            HttpResponse<String> page = get(base(server) + "/ui/", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
            assertThat(page.body()).contains("href=\"/reg/ui/tags?repo=team%2Fapp\"");
            assertThat(get(base(server) + "/v2/", null).statusCode()).isEqualTo(200);
            // The server's events reach the console's activity page.
            assertThat(get(base(server) + "/ui/activity", null).body()).contains(">push<").contains(">1.0<");
        }
    }

    @Test
    void theConsoleCanBeMovedOrTurnedOff() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage: {inmemory: {}}
                http: {addr: '127.0.0.1:0'}
                ui: {path: /console/registry/}
                """);
        try (BerthServer server = Main.serve(ConfigLoader.load(file, Map.of()))) {
            assertThat(get(base(server) + "/console/registry/", null).statusCode()).isEqualTo(200);
            assertThat(get(base(server) + "/ui/", null).statusCode()).isEqualTo(404);
        }
        try (BerthServer server = Main.serve(ConfigLoader.load(file, Map.of("REGISTRY_UI_ENABLED", "false")))) {
            HttpResponse<String> r = get(base(server) + "/console/registry/", null);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Security-Policy")).isEmpty();
        }
    }

    @Test
    void aPathTheRegistryOwnsIsRefused() throws Exception {
        for (String path : new String[] {"/v2", "/auth/x", "ui", "/a b", "/"}) {
            Path file = Files.writeString(dir.resolve("config.yml"), "version: 0.1\nstorage: {inmemory: {}}\n"
                    + "ui: {path: '" + path + "'}\n");
            assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).as(path)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("ui.path");
        }
        Path unknown = Files.writeString(dir.resolve("config.yml"), "version: 0.1\nstorage: {inmemory: {}}\n"
                + "ui: {colour: blue}\n");
        assertThatThrownBy(() -> ConfigLoader.load(unknown, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ui.colour");
    }

    @ParameterizedTest
    @ValueSource(strings = {"htpasswd: {realm: test, path: HTPASSWD}",
        "token: {realm: 'http://127.0.0.1/auth/token', service: s, issuer: i, builtin: {htpasswd: {path: HTPASSWD}}}"})
    void usersSignInToTheConsoleWithTheConfiguredUsers(String auth) throws Exception {
        String sha1 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest("pw".getBytes(StandardCharsets.UTF_8)));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}" + sha1 + "\n");
        Path file = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage: {inmemory: {}}
                http: {addr: '127.0.0.1:0'}
                auth:
                  %s
                """.formatted(auth.replace("HTPASSWD", htpasswd.toString())));
        try (BerthServer server = Main.serve(ConfigLoader.load(file, Map.of()))) {
            push(server, "private/app", "1");
            assertThat(get(base(server) + "/ui/", null).body()).doesNotContain("private/app");
            HttpResponse<String> form = get(base(server) + "/ui/login", null);
            String cookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(form.body());
            assertThat(csrf.find()).isTrue();
            HttpResponse<String> signIn = HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/ui/login"))
                    .header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + URLEncoder.encode(csrf.group(1),
                            StandardCharsets.UTF_8) + "&user=alice&password=pw")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signIn.statusCode()).isEqualTo(303);
            String session = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            assertThat(get(base(server) + "/ui/", session).body()).contains("private/app")
                    .contains("<span id=\"viewer\">alice</span>");
        }
    }

    @Test
    void repeatedFailedSignInsAreRefusedWith429AndCountedInTheMetrics() throws Exception {
        String sha1 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest("pw".getBytes(StandardCharsets.UTF_8)));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}" + sha1 + "\n");
        Path file = Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage: {inmemory: {}}
                http: {addr: '127.0.0.1:0'}
                auth: {htpasswd: {realm: test, path: %s}}
                """.formatted(htpasswd));
        try (BerthServer server = Main.serve(ConfigLoader.load(file, Map.of()))) {
            HttpResponse<String> form = get(base(server) + "/ui/login", null);
            String cookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String page = form.body();
            int[] statuses = new int[6];
            HttpResponse<String> last = null;
            for (int i = 0; i < statuses.length; i++) {
                Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
                assertThat(csrf.find()).isTrue();
                last = HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + "/ui/login"))
                        .header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + URLEncoder.encode(csrf.group(1),
                                StandardCharsets.UTF_8) + "&user=alice&password=wrong" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                statuses[i] = last.statusCode();
                page = last.body();
            }
            assertThat(statuses).containsExactly(401, 401, 401, 401, 429, 429);
            assertThat(last.headers().firstValue("Retry-After")).isPresent();
            assertThat(server.metrics().scrape()).contains(
                    "berth_http_limit_hits_total{limit=\"console_sign_in\"} 2.0");
        }
    }
}
