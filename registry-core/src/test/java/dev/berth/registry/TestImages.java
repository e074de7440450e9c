package dev.berth.registry;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/** Small real images for lifecycle tests: a config and a layer of their own per seed, and an OCI manifest. */
final class TestImages {
    private TestImages() {
    }

    /** An image manifest whose config and layer are uploaded to {@code repo}; nothing is tagged yet. */
    static byte[] manifest(Repository repo, String seed) {
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("the layer of " + seed).getBytes(StandardCharsets.UTF_8);
        try {
            repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
            repo.uploads().put(Digest.sha256(layer), new ByteArrayInputStream(layer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Pushes an image under {@code tag} (and {@code moreTags}); returns the manifest's digest. */
    static Digest push(Repository repo, String tag, String seed, String... moreTags) {
        byte[] manifest = manifest(repo, seed);
        return repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest,
                Arrays.stream(moreTags).map(Tag::parse).toList()).digest();
    }

    static List<String> tagNames(Repository repo) {
        return repo.tags().list().stream().map(Tag::value).toList();
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
