package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** berth.auth.htpasswd and berth.access as the server's auth and access sections. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"berth.auth.htpasswd.realm=Test registry",
                "berth.access.rules[0].repositories=public/**", "berth.access.rules[0].who=everyone",
                "berth.access.rules[0].allow=pull",
                "berth.access.rules[1].repositories=**", "berth.access.rules[1].who=group:ci",
                "berth.access.rules[1].allow=pull,push",
                "berth.access.groups.ci=jenkins"})
class AccessRulesStarterTest {
    @TempDir
    static Path dir;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("berth.storage.filesystem.rootdirectory", () -> dir.resolve("data").toString());
        properties.add("berth.auth.htpasswd.path", () -> htpasswd("jenkins", "s3cret"));
    }

    /** An htpasswd file in the {SHA} format {@code htpasswd -s} writes. */
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
    void anonymousCallersAreChallenged() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/v2/");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Test registry\"");
    }

    @Test
    void usersOfTheFileAreLetIn() throws Exception {
        assertThat(Client.at(port).as("jenkins", "s3cret").get("/v2/").statusCode()).isEqualTo(200);
        assertThat(Client.at(port).as("jenkins", "wrong").get("/v2/").statusCode()).isEqualTo(401);
    }

    @Test
    void theRulesSayWhoMayPushWhere() throws Exception {
        byte[] blob = "pushed by ci".getBytes(StandardCharsets.UTF_8);

        assertThat(Client.at(port).pushBlob("public/tool", blob).statusCode()).isEqualTo(401);
        assertThat(Client.at(port).as("jenkins", "s3cret").pushBlob("public/tool", blob).statusCode())
                .isEqualTo(201);
        // Anonymous pull where the rules allow it, and nowhere else.
        assertThat(Client.at(port).get("/v2/public/tool/blobs/" + Client.digest(blob)).statusCode())
                .isEqualTo(200);
        assertThat(Client.at(port).get("/v2/team/tool/blobs/" + Client.digest(blob)).statusCode())
                .isEqualTo(401);
    }
}
