package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Reference;
import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * berth.auth.token.builtin: the application issues tokens at /auth/token to the users of an htpasswd file, scoped by
 * berth.access, and its registry takes them.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
        properties = {"berth.storage.inmemory=", "berth.auth.token.service=berth-test",
                "berth.auth.token.issuer=berth-test-issuer", "berth.auth.token.builtin.expiration=2m",
                "berth.access.rules[0].repositories=ci/**", "berth.access.rules[0].who=jenkins",
                "berth.access.rules[0].allow=pull,push"})
class BuiltinTokenStarterTest {
    @TempDir
    static Path dir;
    static int port;

    @TempDir
    Path work;
    @Autowired
    Registry registry;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) throws IOException {
        // The realm is an absolute URL of this application, so the port is chosen before it starts.
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        properties.add("server.port", () -> port);
        properties.add("berth.auth.token.realm", () -> "http://127.0.0.1:" + port + "/auth/token");
        properties.add("berth.auth.token.builtin.htpasswd.path", () -> htpasswd("jenkins", "s3cret"));
    }

    @BeforeAll
    static void plainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    private static String htpasswd(String user, String password) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
            Path file = dir.resolve("htpasswd");
            Files.writeString(file, user + ":{SHA}" + Base64.getEncoder().encodeToString(sha1) + "\n");
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anonymousCallersAreSentToTheTokenEndpoint() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/v2/");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\"")
                .contains("service=\"berth-test\""));
    }

    @Test
    void aTokenFromTheEndpointPushesWhereTheRulesAllow() throws Exception {
        byte[] blob = "pushed with a token".getBytes(StandardCharsets.UTF_8);
        String token = token("jenkins", "s3cret", "repository:ci/app:pull,push");

        assertThat(Client.at(port).bearer(token).pushBlob("ci/app", blob).statusCode()).isEqualTo(201);
        assertThat(Client.at(port).bearer(token).get("/v2/ci/app/blobs/" + Client.digest(blob)).statusCode())
                .isEqualTo(200);
        // The rules grant jenkins nothing outside ci/: its token for elsewhere does not push.
        String elsewhere = token("jenkins", "s3cret", "repository:other/app:pull,push");
        assertThat(Client.at(port).bearer(elsewhere).pushBlob("other/app", blob).statusCode()).isIn(401, 403);
    }

    @Test
    void wrongCredentialsGetNoToken() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).as("jenkins", "wrong")
                .get("/auth/token?service=berth-test&scope=repository:ci/app:pull");

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void jibLogsInThroughTheIssuerAndPushes() throws Exception {
        Path lib = Files.writeString(work.resolve("lib.txt"), "pushed by jib with a token");
        String image = "127.0.0.1:" + port + "/ci/jib:1";

        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(lib), AbsoluteUnixPath.get("/lib"))
                .containerize(Containerizer.to(RegistryImage.named(image).addCredential("jenkins", "s3cret"))
                        .setAllowInsecureRegistries(true));

        assertThat(registry.repository("ci/jib").manifests().getOrThrow(Reference.parse("1")).digest().toString())
                .isEqualTo(pushed.getDigest().toString());
    }

    private String token(String user, String password, String scope) throws Exception {
        HttpResponse<byte[]> response = Client.at(port).as(user, password)
                .get("/auth/token?service=berth-test&scope=" + scope);
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body()).get("token").asText();
    }
}
