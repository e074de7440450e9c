package dev.berth.examples.embedded;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A registry embedded in a Java program: filesystem storage in a local folder (distribution's layout, so
 * {@code registry:2} can serve the same folder), an image pushed and read back.
 */
public final class EmbeddedQuickstart {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "berth-data").toAbsolutePath();
        try (Registry registry = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", data.toString()))
                .build()) {
            Repository repo = registry.repository("examples/hello");

            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            byte[] layer = "hello from berth\n".getBytes(StandardCharsets.UTF_8);
            Descriptor c = repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
            Descriptor l = repo.uploads().put(Digest.sha256(layer), new ByteArrayInputStream(layer));

            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                    + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + c.digest()
                    + "\",\"size\":" + c.size() + "},"
                    + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + l.digest()
                    + "\",\"size\":" + l.size() + "}]}";
            repo.manifests().put(Reference.parse("latest"), MediaTypes.OCI_MANIFEST,
                    manifest.getBytes(StandardCharsets.UTF_8));

            StoredManifest stored = repo.manifests().getOrThrow(Reference.parse("latest"));
            System.out.println("Berth registry in " + data);
            System.out.println("  pushed examples/hello:latest = " + stored.digest() + " (" + stored.mediaType() + ")");
            System.out.println("  repositories: " + registry.catalog().stream().map(RepositoryName::value).toList());
            System.out.println("  tags of examples/hello: " + repo.tags().list());
        }
    }
}
