package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Reference;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against the server with authentication on: jib-core pushes and pulls with basic credentials checked
 * against an htpasswd file that Debian's htpasswd binary wrote, and is refused where the access rules say; the
 * docker/podman login flow (401 with a challenge on {@code /v2/}, then 200 with credentials).
 */
class AuthClientsTest {
    static final String RULES = """
            access:
              rules:
                - {repositories: ["public/**"], who: [everyone], allow: [pull]}
                - {repositories: ["**"], who: [alice], allow: [pull, push, delete]}
                - {repositories: ["team/**"], who: [bob], allow: [pull, push]}
            """;

    @TempDir
    Path root;
    @TempDir
    Path work;
    BerthServer server;
    Registry registry;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void plainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Runs Debian's htpasswd: the test fails (never skips) when it is missing; CI installs apache2-utils. */
    static void htpasswd(String flags, Path file, String user, String password) throws Exception {
        Path binary = Path.of("/usr/bin/htpasswd");
        assertThat(binary).as("htpasswd from apache2-utils (CI installs it)").isExecutable();
        List<String> command = List.of(binary.toString(), flags, file.toString(), user, password);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    void startWithHtpasswd() throws Exception {
        Path file = work.resolve("htpasswd");
        htpasswd("-cbB", file, "alice", "alice-pw"); // bcrypt, htpasswd's default cost
        htpasswd("-bm", file, "bob", "bob-pw"); // apr1 MD5
        ServerConfig config = ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {rootdirectory: " + root
                + "}, delete: {enabled: true}}\nhttp: {addr: '127.0.0.1:0'}\nauth: {htpasswd: {realm: Berth test, path: "
                + file + "}}\n" + RULES, Map.of());
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .deletesEnabled(true).build();
        server = BerthServer.start(registry, config.http(), ServletOptions.DEFAULTS, false,
                ServerSecurity.from(config.auth()));
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpResponse<String> get(String path, Optional<String> user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
        user.ifPresent(u -> b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                u.getBytes(StandardCharsets.UTF_8))));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JibContainer push(String image, Optional<String[]> credentials) throws Exception {
        Path file = Files.writeString(work.resolve("app-" + Math.abs(image.hashCode()) + ".txt"), image);
        RegistryImage target = RegistryImage.named(image);
        credentials.ifPresent(c -> target.addCredential(c[0], c[1]));
        return Jib.fromScratch().addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
                .containerize(Containerizer.to(target).setAllowInsecureRegistries(true));
    }

    @Test
    void theLoginFlowIs401WithABasicChallengeThen200WithCredentials() throws Exception {
        startWithHtpasswd();
        HttpResponse<String> anonymous = get("/v2/", Optional.empty());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"Berth test\"");
        assertThat(anonymous.body()).contains("\"code\":\"UNAUTHORIZED\"");
        assertThat(get("/v2/", Optional.of("alice:alice-pw")).statusCode()).isEqualTo(200);
        assertThat(get("/v2/", Optional.of("bob:bob-pw")).statusCode()).isEqualTo(200);
        HttpResponse<String> wrong = get("/v2/", Optional.of("alice:bob-pw"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("bob-pw");
    }

    @Test
    void jibPushesAndPullsWithBasicCredentialsAndIsRefusedWhereTheRulesSay() throws Exception {
        startWithHtpasswd();
        String host = "127.0.0.1:" + server.port();
        JibContainer pushed = push(host + "/team/app:1", Optional.of(new String[] {"bob", "bob-pw"}));
        assertThat(registry.repository("team/app").manifests().getOrThrow(Reference.parse("1")).digest().toString())
                .isEqualTo(pushed.getDigest().toString());
        JibContainer pulled = Jib.from(RegistryImage.named(host + "/team/app:1").addCredential("bob", "bob-pw"))
                .containerize(Containerizer.to(TarImage.at(work.resolve("pulled.tar")).named("pulled:1"))
                        .setAllowInsecureRegistries(true));
        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());

        // bob may not push outside team/, nobody anonymously, and a wrong password is refused.
        assertThatThrownBy(() -> push(host + "/private/app:1", Optional.of(new String[] {"bob", "bob-pw"})))
                .hasStackTraceContaining("403 Forbidden");
        assertThatThrownBy(() -> push(host + "/team/anon:1", Optional.empty()))
                .hasStackTraceContaining("401 Unauthorized");
        assertThatThrownBy(() -> push(host + "/team/wrong:1", Optional.of(new String[] {"bob", "alice-pw"})))
                .hasStackTraceContaining("401 Unauthorized");
        assertThat(registry.catalog()).extracting(Object::toString).containsExactly("team/app");

        // alice pushes to public/, which anyone may then pull without credentials.
        JibContainer open = push(host + "/public/app:1", Optional.of(new String[] {"alice", "alice-pw"}));
        JibContainer anonymousPull = Jib.from(RegistryImage.named(host + "/public/app:1"))
                .containerize(Containerizer.to(TarImage.at(work.resolve("public.tar")).named("public:1"))
                        .setAllowInsecureRegistries(true));
        assertThat(anonymousPull.getImageId()).isEqualTo(open.getImageId());
        assertThat(get("/v2/_catalog", Optional.empty()).body()).isEqualTo("{\"repositories\":[\"public/app\"]}");
        assertThat(get("/v2/_catalog", Optional.of("bob:bob-pw")).body())
                .isEqualTo("{\"repositories\":[\"public/app\",\"team/app\"]}");
    }

    void startWithBuiltinTokenIssuer() throws Exception {
        Path file = work.resolve("htpasswd");
        htpasswd("-cbB", file, "alice", "alice-pw");
        htpasswd("-bs", file, "bob", "bob-pw"); // {SHA}
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // the realm names the server's own address, so the port is chosen first
        }
        ServerConfig config = ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {rootdirectory: " + root
                + "}, delete: {enabled: true}}\nhttp: {addr: '127.0.0.1:" + port + "'}\nauth:\n  token:\n"
                + "    realm: http://127.0.0.1:" + port + "/auth/token\n    service: berth-test\n"
                + "    issuer: berth-test\n    builtin: {htpasswd: {path: " + file + "}, expiration: 2m}\n" + RULES,
                Map.of());
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .deletesEnabled(true).build();
        // The access log on: this test once saw jib's HEAD of a blob answered 400 (on Java 25, under a loaded CI);
        // the log tells whether such an answer came from the registry (a line) or from Jetty's parser (none).
        server = BerthServer.start(registry, config.http(), ServletOptions.DEFAULTS, true,
                ServerSecurity.from(config.auth()));
    }

    @Test
    void jibFollowsTheBearerChallengeToTheBuiltinIssuerAndGetsOnlyWhatTheRulesAllow() throws Exception {
        startWithBuiltinTokenIssuer();
        String host = "127.0.0.1:" + server.port();
        HttpResponse<String> challenge = get("/v2/", Optional.empty());
        assertThat(challenge.statusCode()).isEqualTo(401);
        assertThat(challenge.headers().firstValue("WWW-Authenticate")).contains(
                "Bearer realm=\"http://" + host + "/auth/token\",service=\"berth-test\"");

        JibContainer pushed = push(host + "/team/tok:1", Optional.of(new String[] {"bob", "bob-pw"}));
        assertThat(registry.repository("team/tok").manifests().getOrThrow(Reference.parse("1")).digest().toString())
                .isEqualTo(pushed.getDigest().toString());
        assertThatThrownBy(() -> push(host + "/private/tok:1", Optional.of(new String[] {"bob", "bob-pw"})))
                .hasStackTraceContaining("Unauthorized");
        assertThatThrownBy(() -> push(host + "/team/tok:2", Optional.of(new String[] {"bob", "alice-pw"})))
                .hasStackTraceContaining("Unauthorized");
        JibContainer open = push(host + "/public/tok:1", Optional.of(new String[] {"alice", "alice-pw"}));
        // Without credentials jib gets an anonymous token, which may pull public/ and nothing else.
        JibContainer anonymousPull = Jib.from(RegistryImage.named(host + "/public/tok:1"))
                .containerize(Containerizer.to(TarImage.at(work.resolve("tok.tar")).named("tok:1"))
                        .setAllowInsecureRegistries(true));
        assertThat(anonymousPull.getImageId()).isEqualTo(open.getImageId());
        assertThatThrownBy(() -> Jib.from(RegistryImage.named(host + "/team/tok:1"))
                .containerize(Containerizer.to(TarImage.at(work.resolve("no.tar")).named("no:1"))
                        .setAllowInsecureRegistries(true))).hasStackTraceContaining("Unauthorized");
        assertThat(registry.catalog()).extracting(Object::toString).containsExactly("public/tok", "team/tok");

        // A token asked for more than the rules allow carries only what they allow, and the registry honours it.
        HttpResponse<String> token = get("/auth/token?service=berth-test&scope=repository:team/tok:pull,push"
                + "&scope=repository:private/x:pull,push", Optional.of("bob:bob-pw"));
        assertThat(token.statusCode()).isEqualTo(200);
        String jwt = Exchange.json(token.body()).get("token").asText();
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/team/tok/tags/list"))
                .header("Authorization", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(base()
                + "/v2/private/x/tags/list")).header("Authorization", "Bearer " + jwt).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isIn(401, 403);
        assertThat(denied.body()).containsAnyOf("UNAUTHORIZED", "DENIED");
    }

    /** Tiny JSON access for the token answer. */
    static final class Exchange {
        static JsonNode json(String text) throws Exception {
            return new ObjectMapper().readTree(text);
        }
    }
}
