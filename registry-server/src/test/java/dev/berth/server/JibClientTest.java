package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.berth.registry.Registry;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.StoredManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Google's jib-core, a client nobody here wrote, builds images, pushes them to Berth and pulls them back. */
class JibClientTest {
    @TempDir
    Path root;
    @TempDir
    Path work;
    Registry registry;
    BerthServer server;

    @BeforeAll
    static void plainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        server = BerthServer.start(registry, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(ImageFormat.class)
    void jibPushesAnImageAndPullsItBack(ImageFormat format) throws Exception {
        Path app = Files.writeString(work.resolve("app.txt"), "built by jib in " + format + " format\n");
        byte[] random = new byte[300_000];
        new Random(format.ordinal()).nextBytes(random); // incompressible, so the pulled tar shows the bytes
        Path lib = Files.write(work.resolve("lib.bin"), random);
        String image = "127.0.0.1:" + server.port() + "/jib/app-" + format.name().toLowerCase() + ":1.0";

        JibContainer pushed = Jib.fromScratch()
                .setFormat(format)
                .addLayer(List.of(lib), AbsoluteUnixPath.get("/lib"))
                .addLayer(List.of(app), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/app/app.txt")
                .containerize(Containerizer.to(RegistryImage.named(image)).setAllowInsecureRegistries(true)
                        .withAdditionalTag("latest"));

        StoredManifest stored = registry.repository("jib/app-" + format.name().toLowerCase()).manifests()
                .getOrThrow(Reference.parse("1.0"));
        assertThat(stored.digest().toString()).isEqualTo(pushed.getDigest().toString());
        assertThat(stored.mediaType()).isEqualTo(format == ImageFormat.OCI ? MediaTypes.OCI_MANIFEST
                : MediaTypes.DOCKER_MANIFEST);
        assertThat(registry.repository("jib/app-" + format.name().toLowerCase()).tags().list())
                .extracting(t -> t.value()).containsExactly("1.0", "latest");

        // Pull: jib takes the pushed image as a base and writes it out as a tarball, fetching every blob.
        Path tar = work.resolve("pulled.tar");
        JibContainer pulled = Jib.from(RegistryImage.named(image))
                .setFormat(format)
                .containerize(Containerizer.to(TarImage.at(tar).named("pulled:1")).setAllowInsecureRegistries(true));
        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
        assertThat(Files.size(tar)).isGreaterThan(300_000);
    }
}
