package dev.berth.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

/** Pushes images, indexes and referrers through the core's API, as a client's push stores them. */
final class Content {
    static final String SIGNATURE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    static final String SBOM_TYPE = "application/spdx+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Registry registry;
    private final Random random = new Random(42);

    Content(Registry registry) {
        this.registry = registry;
    }

    record Pushed(Digest digest, long size) {
    }

    /** An image of two layers (one of {@code layerSize} bytes) whose config has these labels; pushed under tag. */
    Pushed image(String repo, String tag, Map<String, String> labels, String arch, int layerSize) {
        Repository r = registry.repository(repo);
        byte[] l1 = new byte[layerSize];
        random.nextBytes(l1);
        byte[] l2 = ("layer two of " + repo + " " + arch + " " + tag).getBytes(StandardCharsets.UTF_8);
        Digest d1 = blob(r, l1);
        Digest d2 = blob(r, l2);
        ObjectNode config = JSON.createObjectNode();
        config.put("created", "2026-11-02T10:15:30Z");
        config.put("author", "Berth tests");
        config.put("architecture", arch);
        config.put("os", "linux");
        ObjectNode c = config.putObject("config");
        c.putArray("Env").add("PATH=/usr/local/bin:/usr/bin").add("APP_MODE=production");
        c.putArray("Entrypoint").add("/app/run");
        c.putArray("Cmd").add("--serve");
        c.putObject("ExposedPorts").putObject("8080/tcp");
        ObjectNode l = c.putObject("Labels");
        labels.forEach(l::put);
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(d1.toString()).add(d2.toString());
        ArrayNode history = config.putArray("history");
        history.addObject().put("created", "2026-11-01T09:00:00Z").put("created_by", "/bin/sh -c #(nop) ADD file:abc in /");
        history.addObject().put("created", "2026-11-01T09:00:01Z")
                .put("created_by", "/bin/sh -c #(nop)  ENV APP_MODE=production").put("empty_layer", true);
        history.addObject().put("created", "2026-11-02T10:15:30Z").put("created_by", "RUN /bin/sh -c make install # buildkit");
        byte[] configBytes = bytes(config);
        Digest cd = blob(r, configBytes);
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        descriptor(m.putObject("config"), MediaTypes.OCI_CONFIG, cd, configBytes.length);
        ArrayNode layers = m.putArray("layers");
        descriptor(layers.addObject(), MediaTypes.OCI_LAYER_GZIP, d1, l1.length);
        descriptor(layers.addObject(), MediaTypes.OCI_LAYER_GZIP, d2, l2.length);
        byte[] manifest = bytes(m);
        Reference ref = tag == null ? Reference.of(Digest.sha256(manifest)) : Reference.of(new Tag(tag));
        Manifests.PutResult put = r.manifests().put(ref, MediaTypes.OCI_MANIFEST, manifest);
        return new Pushed(put.digest(), manifest.length);
    }

    /** An index of a linux/amd64 and a linux/arm64 image, under tag. */
    Pushed index(String repo, String tag) {
        Pushed amd = image(repo, null, Map.of("org.opencontainers.image.title", "multi"), "amd64", 3000);
        Pushed arm = image(repo, null, Map.of("org.opencontainers.image.title", "multi"), "arm64", 2000);
        ObjectNode idx = JSON.createObjectNode();
        idx.put("schemaVersion", 2);
        idx.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode ms = idx.putArray("manifests");
        ObjectNode a = descriptor(ms.addObject(), MediaTypes.OCI_MANIFEST, amd.digest(), amd.size());
        a.putObject("platform").put("architecture", "amd64").put("os", "linux");
        ObjectNode b = descriptor(ms.addObject(), MediaTypes.OCI_MANIFEST, arm.digest(), arm.size());
        b.putObject("platform").put("architecture", "arm64").put("os", "linux").put("variant", "v8");
        byte[] bytes = bytes(idx);
        Manifests.PutResult put = registry.repository(repo).manifests().put(Reference.of(new Tag(tag)),
                MediaTypes.OCI_INDEX, bytes);
        return new Pushed(put.digest(), bytes.length);
    }

    /** An OCI 1.1 artifact of {@code artifactType} whose subject is {@code subject}, pushed by digest. */
    Pushed referrer(String repo, Pushed subject, String subjectType, String artifactType, String payload) {
        Repository r = registry.repository(repo);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        Digest emptyDigest = blob(r, empty);
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        Digest bodyDigest = blob(r, body);
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.put("artifactType", artifactType);
        descriptor(m.putObject("config"), MediaTypes.OCI_EMPTY, emptyDigest, empty.length);
        descriptor(m.putArray("layers").addObject(), artifactType, bodyDigest, body.length);
        descriptor(m.putObject("subject"), subjectType, subject.digest(), subject.size());
        m.putObject("annotations").put("org.opencontainers.image.created", "2026-11-03T08:00:00Z");
        byte[] bytes = bytes(m);
        Digest d = Digest.sha256(bytes);
        r.manifests().put(Reference.of(d), MediaTypes.OCI_MANIFEST, bytes);
        return new Pushed(d, bytes.length);
    }

    /** Puts the manifest {@code tag} of {@code from} under {@code tag} in {@code to}, mounting its blobs. */
    void copy(String from, String tag, String to) {
        Repository source = registry.repository(from);
        Repository target = registry.repository(to);
        var stored = source.manifests().getOrThrow(Reference.of(new Tag(tag)));
        var manifest = (dev.berth.registry.model.ImageManifest) dev.berth.registry.model.Manifest.parse(
                stored.bytes(), stored.mediaType());
        target.blobs().mount(manifest.config().digest(), source.name()).orElseThrow();
        manifest.layers().forEach(l -> target.blobs().mount(l.digest(), source.name()).orElseThrow());
        target.manifests().put(Reference.of(new Tag(tag)), stored.mediaType(), stored.bytes());
    }

    private static ObjectNode descriptor(ObjectNode n, String mediaType, Digest d, long size) {
        n.put("mediaType", mediaType);
        n.put("digest", d.toString());
        n.put("size", size);
        return n;
    }

    private static Digest blob(Repository r, byte[] bytes) {
        Digest d = Digest.sha256(bytes);
        try {
            r.uploads().put(d, new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
