package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same servlet in embedded Tomcat 11, under a context path: push a blob in chunks and a manifest, pull both. */
class TomcatRegistryTest {
    @TempDir
    Path root;
    @TempDir
    Path tomcatBase;
    Registry registry;
    Tomcat tomcat;
    String base;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        tomcat = new Tomcat();
        tomcat.setBaseDir(tomcatBase.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // Registry paths carry encoded characters (%3A in digests from some clients): let them through to the servlet.
        connector.setEncodedSolidusHandling("decode");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/mirror", tomcatBase.toString());
        Tomcat.addServlet(context, "registry", new RegistryServlet(registry)).setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "registry");
        tomcat.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/mirror";
    }

    @AfterEach
    void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        registry.close();
    }

    @Test
    void chunkedPushAndPullWorkUnderAContextPath() throws Exception {
        byte[] blob = new byte[200_000];
        new Random(9).nextBytes(blob);
        Digest d = Digest.sha256(blob);
        HttpResponse<String> start = send(HttpRequest.newBuilder(URI.create(base + "/v2/t/app/blobs/uploads/"))
                .POST(BodyPublishers.noBody()).build());
        assertThat(start.statusCode()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(base + "/v2/t/app/blobs/uploads/");
        HttpResponse<String> chunk = send(HttpRequest.newBuilder(URI.create(location))
                .method("PATCH", BodyPublishers.ofByteArray(Arrays.copyOf(blob, 120_000)))
                .header("Content-Range", "0-119999").build());
        assertThat(chunk.statusCode()).isEqualTo(202);
        HttpResponse<String> done = send(HttpRequest.newBuilder(URI.create(chunk.headers().firstValue("Location")
                .orElseThrow() + "?digest=" + d)).PUT(BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 120_000,
                200_000))).build());
        assertThat(done.statusCode()).isEqualTo(201);

        HttpResponse<byte[]> pulled = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/t/app/blobs/" + d))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(Arrays.equals(pulled.body(), blob)).isTrue();

        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest cd = Digest.sha256(config);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/v2/t/app/blobs/uploads/?digest=" + cd))
                .POST(BodyPublishers.ofByteArray(config)).build()).statusCode()).isEqualTo(201);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + cd + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
                + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + d + "\",\"size\":200000}]}";
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(base + "/v2/t/app/manifests/1.0"))
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(BodyPublishers.ofString(manifest)).build());
        assertThat(put.statusCode()).isEqualTo(201);
        HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(base + "/v2/t/app/manifests/1.0")).build());
        assertThat(get.body()).isEqualTo(manifest);
        assertThat(get.headers().firstValue("Docker-Content-Digest"))
                .contains(Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8)).toString());
        HttpResponse<String> bad = send(HttpRequest.newBuilder(URI.create(base + "/v2/t/app/blobs/sha256:nothex")).build());
        assertThat(bad.statusCode()).isEqualTo(404); // no blob can have that digest
        assertThat(bad.body()).contains("BLOB_UNKNOWN");
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
