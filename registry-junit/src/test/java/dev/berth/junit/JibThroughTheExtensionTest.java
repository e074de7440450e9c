package dev.berth.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.model.Reference;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Google's jib-core pushes to and pulls from the extension's registries: plain, with a user, and over TLS. */
class JibThroughTheExtensionTest {
    @RegisterExtension
    static final BerthRegistryExtension PLAIN = BerthRegistryExtension.builder().build();
    @RegisterExtension
    static final BerthRegistryExtension WITH_USER = BerthRegistryExtension.builder()
            .inFolder().withUser("alice", "secret").withUser("bob", "other").build();
    @RegisterExtension
    static final BerthRegistryExtension TLS = BerthRegistryExtension.builder().withTls().build();

    @TempDir
    Path work;

    @BeforeAll
    static void jibSettings() {
        System.setProperty("sendCredentialsOverHttp", "true"); // the user's registry is plain HTTP on loopback
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @Test
    void pushesAndPullsAnImage() throws Exception {
        RegistryEndpoint endpoint = PLAIN.endpoint();
        String image = endpoint.image("team/plain:1");
        JibContainer pushed = push(Containerizer.to(RegistryImage.named(image)).setAllowInsecureRegistries(true));

        assertThat(PLAIN.registry().repository("team/plain").manifests().getOrThrow(Reference.parse("1")).digest()
                .toString()).isEqualTo(pushed.getDigest().toString());
        assertThat(pull(RegistryImage.named(image), true).getImageId()).isEqualTo(pushed.getImageId());
    }

    @Test
    void pushesAndPullsWithTheUsersCredentialsAndIsRefusedWithout() throws Exception {
        RegistryEndpoint endpoint = WITH_USER.endpoint();
        assertThat(endpoint.username()).contains("alice");
        String image = endpoint.image("team/secured:1");
        JibContainer pushed = push(Containerizer.to(RegistryImage.named(image)
                .addCredential(endpoint.username().orElseThrow(), endpoint.password().orElseThrow()))
                .setAllowInsecureRegistries(true));

        assertThat(pull(RegistryImage.named(image).addCredential("bob", "other"), true).getImageId())
                .isEqualTo(pushed.getImageId());
        assertThatThrownBy(() -> pull(RegistryImage.named(image), true)).hasStackTraceContaining("401");
        assertThatThrownBy(() -> pull(RegistryImage.named(image).addCredential("alice", "wrong"), true))
                .hasStackTraceContaining("401");
        // In its temporary folder, in distribution's layout.
        assertThat(WITH_USER.storageFolder().orElseThrow()
                .resolve("docker/registry/v2/repositories/team/secured/_manifests/tags/1/current/link")).exists();
    }

    @Test
    void pushesAndPullsOverTlsTrustingTheGeneratedCa() throws Exception {
        RegistryEndpoint endpoint = TLS.endpoint();
        assertThat(endpoint.uri().getScheme()).isEqualTo("https");
        assertThat(Files.readString(endpoint.caFile().orElseThrow())).startsWith("-----BEGIN CERTIFICATE-----");
        // The endpoint's context trusts the CA; a client trusting only the JDK's CAs does not get through.
        HttpClient trusting = HttpClient.newBuilder().sslContext(endpoint.sslContext().orElseThrow()).build();
        assertThat(trusting.send(HttpRequest.newBuilder(endpoint.uri().resolve("/v2/")).build(),
                BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(endpoint.uri().resolve("/v2/")).build(), BodyHandlers.ofString()))
                .hasStackTraceContaining("PKIX");

        // jib takes the JVM's default context; insecure registries are not allowed, so the certificate is checked.
        SSLContext before = SSLContext.getDefault();
        SSLContext.setDefault(endpoint.sslContext().orElseThrow());
        try {
            String image = endpoint.image("team/tls:1");
            JibContainer pushed = push(Containerizer.to(RegistryImage.named(image)));
            assertThat(pull(RegistryImage.named(image), false).getImageId()).isEqualTo(pushed.getImageId());
        } finally {
            SSLContext.setDefault(before);
        }
        assertThat(TLS.registry().repository("team/tls").tags().list()).extracting(t -> t.value())
                .containsExactly("1");
    }

    private JibContainer push(Containerizer to) throws Exception {
        byte[] random = new byte[100_000];
        new Random(17).nextBytes(random);
        Path lib = Files.write(work.resolve("lib.bin"), random);
        Path app = Files.writeString(work.resolve("app.txt"), "pushed to a registry of the JUnit extension\n");
        return Jib.fromScratch()
                .addLayer(List.of(lib), AbsoluteUnixPath.get("/lib"))
                .addLayer(List.of(app), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/app/app.txt")
                .containerize(to);
    }

    private JibContainer pull(RegistryImage image, boolean plainHttp) throws Exception {
        // jib takes the image as a base and writes it out as a tarball, fetching every blob.
        Path tar = Files.createTempFile(work, "pulled", ".tar");
        return Jib.from(image).containerize(Containerizer.to(TarImage.at(tar).named("pulled:1"))
                .setAllowInsecureRegistries(plainHttp));
    }
}
