package dev.berth.examples.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.auth.htpasswd.HtpasswdAuthenticator;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.model.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One Jetty server: the application's servlet answers, and jib pushes to and pulls from the registry beside it. */
class AppWithRegistryTest {
    @TempDir
    Path storage;
    @TempDir
    Path work;
    AppWithRegistry app;
    String base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void jibOverPlainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @BeforeEach
    void start() throws Exception {
        app = AppWithRegistry.start(storage, "127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() throws Exception {
        app.close();
    }

    @Test
    void theAppServletAndTheRegistryAnswerInTheSameServer() throws Exception {
        HttpResponse<String> hello = get("/hello");
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello from the app; images here: []\n");

        HttpResponse<String> v2 = get("/v2/");
        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(v2.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");

        // The registry has /v2/* only: the rest of the URL space stays the application's.
        assertThat(get("/elsewhere").statusCode()).isEqualTo(404);
        assertThat(get("/v2/no/such/manifests/1").body()).contains("MANIFEST_UNKNOWN");
    }

    @Test
    void jibPushesAnImageThatTheAppSeesAndJibPullsBack() throws Exception {
        Path file = Files.writeString(work.resolve("greeting.txt"), "pushed next to an application\n");
        String image = "127.0.0.1:" + app.port() + "/team/greeter:1.0";
        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(file), AbsoluteUnixPath.get("/srv"))
                .setEntrypoint("/srv/greeting.txt")
                .containerize(Containerizer.to(RegistryImage.named(image)).setAllowInsecureRegistries(true));

        assertThat(app.registry().repository("team/greeter").manifests().getOrThrow(Reference.parse("1.0")).digest()
                .toString()).isEqualTo(pushed.getDigest().toString());
        assertThat(get("/hello").body()).isEqualTo("hello from the app; images here: [team/greeter]\n");
        assertThat(get("/v2/_catalog").body()).contains("team/greeter");

        JibContainer pulled = Jib.from(RegistryImage.named(image))
                .containerize(Containerizer.to(TarImage.at(work.resolve("pulled.tar")).named("greeter:1"))
                        .setAllowInsecureRegistries(true));
        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), BodyHandlers.ofString());
    }

    /** The registry behind htpasswd users and access rules; the application's own servlet stays open. */
    @Test
    void behindAnAccessGuardJibNeedsCredentialsAndTheRulesDecide() throws Exception {
        app.close();
        // {SHA} of "ci-password", as `htpasswd -bs` writes it.
        Path users = Files.writeString(work.resolve("htpasswd"), "ci:{SHA}" + Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-1").digest(
                        "ci-password".getBytes(StandardCharsets.UTF_8))) + "\n");
        Map<String, Object> rules = Map.of("rules", List.of(
                Map.of("repositories", List.of("**"), "who", List.of("everyone"), "allow", List.of("pull")),
                Map.of("repositories", List.of("team/**"), "who", List.of("ci"),
                        "allow", List.of("pull", "push"))));
        app = AppWithRegistry.start(storage, "127.0.0.1", 0, new AccessGuard(
                new HtpasswdAuthenticator("app", users),
                AccessRules.parse(rules)));
        base = "http://127.0.0.1:" + app.port();
        assertThat(get("/hello").statusCode()).isEqualTo(200);
        HttpResponse<String> v2 = get("/v2/");
        assertThat(v2.statusCode()).isEqualTo(401);
        assertThat(v2.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"app\"");

        Path file = Files.writeString(work.resolve("secured.txt"), "pushed with credentials\n");
        String image = "127.0.0.1:" + app.port() + "/team/secured:1";
        JibContainer pushed = Jib.fromScratch().addLayer(List.of(file), AbsoluteUnixPath.get("/srv"))
                .containerize(Containerizer.to(RegistryImage.named(image).addCredential("ci", "ci-password"))
                        .setAllowInsecureRegistries(true));
        Assertions.assertThatThrownBy(() -> Jib.fromScratch()
                .addLayer(List.of(file), AbsoluteUnixPath.get("/srv"))
                .containerize(Containerizer.to(RegistryImage.named("127.0.0.1:" + app.port() + "/team/anon:1"))
                        .setAllowInsecureRegistries(true))).hasStackTraceContaining("401");
        // Anyone may pull.
        JibContainer pulled = Jib.from(RegistryImage.named(image))
                .containerize(Containerizer.to(TarImage.at(work.resolve("secured.tar")).named("secured:1"))
                        .setAllowInsecureRegistries(true));
        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
    }
}
