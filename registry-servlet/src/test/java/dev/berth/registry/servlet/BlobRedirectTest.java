package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.model.Digest;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob GETs go to the storage's own URL when the driver has one (S3 presigned) and redirects are on. */
class BlobRedirectTest {
    @TempDir
    Path root;

    /** The filesystem driver, plus a made-up URL for every object, as an S3 driver would presign. */
    static final class RedirectingDriver extends ForwardingStorageDriver {
        RedirectingDriver(StorageDriver fs) {
            super(fs);
        }

        @Override public String name() { return "redirecting"; }

        @Override
        public Optional<URI> redirectUrl(String path, Duration validity) {
            return Optional.of(URI.create("https://storage.example.com" + path + "?valid=" + validity.toSeconds()));
        }
    }

    @Test
    void getIsRedirectedHeadIsAnsweredAndRedirectsCanBeTurnedOff() throws Exception {
        byte[] blob = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(blob);
        try (Registry registry = Registry.builder().storage(new RedirectingDriver(
                StorageDrivers.create("filesystem", Map.of("rootdirectory", root.toString())))).build();
                JettyRegistry http = new JettyRegistry(registry, "")) {
            assertThat(http.send(http.request("/v2/r/blobs/uploads/?digest=" + d)
                    .POST(BodyPublishers.ofByteArray(blob)).build()).statusCode()).isEqualTo(201);

            HttpResponse<byte[]> get = http.send(http.request("/v2/r/blobs/" + d).GET().build());
            assertThat(get.statusCode()).isEqualTo(307);
            assertThat(get.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                    .startsWith("https://storage.example.com/docker/registry/v2/blobs/sha256/" + d.hex().substring(0, 2)
                            + "/" + d.hex() + "/data?valid=1200"));
            assertThat(get.headers().firstValue("Docker-Content-Digest")).contains(d.toString());

            Map<String, String> head = http.head("/v2/r/blobs/" + d);
            assertThat(head).containsEntry(":status", "200").containsEntry("Content-Length", "" + blob.length);

            assertThat(http.send(http.request("/v2/r/blobs/" + Digest.sha256(new byte[1])).GET().build())
                    .statusCode()).as("an unknown blob is not redirected").isEqualTo(404);

            try (JettyRegistry direct = new JettyRegistry(registry, "", ServletOptions.DEFAULTS.withRedirects(false))) {
                HttpResponse<byte[]> r = direct.send(direct.request("/v2/r/blobs/" + d).GET().build());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(blob);
            }
        }
    }
}
