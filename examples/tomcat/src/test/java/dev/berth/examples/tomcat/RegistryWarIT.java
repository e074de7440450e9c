package dev.berth.examples.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ApplicationParameter;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built war, deployed twice into one embedded Tomcat 11 as an administrator would deploy it: at {@code /registry}
 * (plain HTTP clients) and at the root context (Docker clients, here jib, which cannot use a path prefix). Nothing is
 * registered by hand: the war's web.xml and listener do the wiring, from the war's own WEB-INF/lib.
 */
class RegistryWarIT {
    @TempDir
    Path tomcatBase;
    @TempDir
    Path rootStorage;
    @TempDir
    Path prefixedStorage;
    @TempDir
    Path work;
    Tomcat tomcat;
    String server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void jibOverPlainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @BeforeEach
    void deployTheWarTwice() throws Exception {
        Path war = war();
        tomcat = new Tomcat();
        tomcat.setBaseDir(tomcatBase.toString());
        Files.createDirectories(tomcatBase.resolve("webapps"));
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setEncodedSolidusHandling("decode");
        tomcat.setConnector(connector);
        tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP servlet: the war brings all it needs
        deploy("", war, rootStorage);
        deploy("/registry", war, prefixedStorage);
        tomcat.start();
        server = "http://127.0.0.1:" + connector.getLocalPort();
    }

    private void deploy(String contextPath, Path war, Path storage) {
        Context context = tomcat.addWebapp(contextPath, war.toString());
        // As <Parameter name="berth.storage.rootdirectory" value="..." override="false"/> in the context's XML.
        ApplicationParameter folder = new ApplicationParameter();
        folder.setName(RegistryWebapp.STORAGE_FOLDER);
        folder.setValue(storage.toString());
        folder.setOverride(false);
        context.addApplicationParameter(folder);
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false); // look at the war's WEB-INF/lib only, not at this test's class path
        context.setJarScanner(scanner);
    }

    @AfterEach
    void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }

    @Test
    void theWarBundlesTheRegistryAndLeavesTheServletApiToTheContainer() throws IOException {
        try (ZipFile zip = new ZipFile(war().toFile())) {
            List<String> libs = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/")).toList();
            assertThat(libs).anyMatch(n -> n.startsWith("WEB-INF/lib/registry-core-"))
                    .anyMatch(n -> n.startsWith("WEB-INF/lib/registry-servlet-"))
                    .anyMatch(n -> n.startsWith("WEB-INF/lib/storage-fs-"))
                    .noneMatch(n -> n.contains("servlet-api"))
                    .noneMatch(n -> n.contains("tomcat"));
            assertThat(zip.getEntry("WEB-INF/web.xml")).isNotNull();
            assertThat(zip.getEntry("WEB-INF/classes/dev/berth/examples/tomcat/RegistryWebapp.class")).isNotNull();
        }
    }

    @Test
    void underAContextPathBlobAndManifestArePushedAndPulledAtUrlsUnderThatPath() throws Exception {
        String base = server + "/registry";
        byte[] layer = new byte[180_000];
        new Random(11).nextBytes(layer);
        Digest layerDigest = Digest.sha256(layer);

        HttpResponse<String> opened = send(HttpRequest.newBuilder(URI.create(base + "/v2/web/app/blobs/uploads/"))
                .POST(BodyPublishers.noBody()).build());
        assertThat(opened.statusCode()).isEqualTo(202);
        String upload = opened.headers().firstValue("Location").orElseThrow();
        assertThat(upload).startsWith(base + "/v2/web/app/blobs/uploads/");
        HttpResponse<String> chunk = send(HttpRequest.newBuilder(URI.create(upload))
                .method("PATCH", BodyPublishers.ofByteArray(Arrays.copyOf(layer, 100_000)))
                .header("Content-Range", "0-99999").build());
        assertThat(chunk.statusCode()).isEqualTo(202);
        assertThat(chunk.headers().firstValue("Range")).contains("0-99999");
        String next = chunk.headers().firstValue("Location").orElseThrow();
        assertThat(next).startsWith(base + "/v2/web/app/blobs/uploads/");
        HttpResponse<String> done = send(HttpRequest.newBuilder(URI.create(next + (next.contains("?") ? "&" : "?")
                + "digest=" + layerDigest)).PUT(BodyPublishers.ofByteArray(Arrays.copyOfRange(layer, 100_000,
                layer.length))).build());
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.headers().firstValue("Location")).contains(base + "/v2/web/app/blobs/" + layerDigest);

        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/v2/web/app/blobs/uploads/?digest=" + configDigest))
                .POST(BodyPublishers.ofByteArray(config)).build()).statusCode()).isEqualTo(201);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\""
                + layerDigest + "\",\"size\":" + layer.length + "}]}";
        Digest manifestDigest = Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(base + "/v2/web/app/manifests/2.0"))
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofString(manifest)).build());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Location")).contains(base + "/v2/web/app/manifests/" + manifestDigest);

        HttpResponse<byte[]> blob = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/web/app/blobs/"
                + layerDigest)).build(), BodyHandlers.ofByteArray());
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(layer);
        HttpResponse<String> pulled = send(HttpRequest.newBuilder(URI.create(base + "/v2/web/app/manifests/"
                + manifestDigest)).header("Accept", MediaTypes.OCI_MANIFEST).build());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(manifest);

        // Each deployment has its own storage folder, from its own context parameter.
        assertThat(prefixedStorage.resolve("docker/registry/v2/repositories/web/app/_manifests/tags/2.0/current/link"))
                .exists();
        assertThat(rootStorage.resolve("docker/registry/v2/repositories/web")).doesNotExist();
        assertThat(send(HttpRequest.newBuilder(URI.create(server + "/v2/web/app/manifests/2.0")).build())
                .statusCode()).isEqualTo(404);
    }

    @Test
    void atTheRootContextJibPushesAnImageAndPullsItBack() throws Exception {
        Path file = Files.writeString(work.resolve("index.html"), "<p>served from a war</p>\n");
        String image = server.substring("http://".length()) + "/web/site:1.0";
        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(file), AbsoluteUnixPath.get("/www"))
                .containerize(Containerizer.to(RegistryImage.named(image)).setAllowInsecureRegistries(true));

        HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create(server + "/v2/web/site/manifests/1.0"))
                .method("HEAD", BodyPublishers.noBody())
                .header("Accept", MediaTypes.DOCKER_MANIFEST + "," + MediaTypes.OCI_MANIFEST).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).contains(pushed.getDigest().toString());
        assertThat(rootStorage.resolve("docker/registry/v2/repositories/web/site/_manifests/tags/1.0/current/link"))
                .exists();

        JibContainer pulled = Jib.from(RegistryImage.named(image))
                .containerize(Containerizer.to(TarImage.at(work.resolve("site.tar")).named("site:1"))
                        .setAllowInsecureRegistries(true));
        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
    }

    private static Path war() {
        Path war = Path.of(System.getProperty("berth.war", "target/berth-registry.war"));
        assertThat(war).as("the war built by this module's package phase").isRegularFile();
        return war;
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, BodyHandlers.ofString());
    }
}
