package dev.berth.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.ImageIndex;
import dev.berth.registry.model.ImageManifest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.ui.view.ImageView;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Reads what the pages show from a repository: manifests, image configs, sizes and referrers. Everything goes through
 * the core's repository API; nothing is held but small JSON documents (a config is read only up to
 * {@link #MAX_CONFIG} bytes).
 */
final class Inspector {
    /** The largest image config read; a larger one is not shown. */
    static final int MAX_CONFIG = 4 << 20;
    /** How deep the referrers tree goes (referrers of referrers...), and how many nodes it shows at most. */
    static final int REFERRER_DEPTH = 4;
    static final int MAX_REFERRERS = 200;
    /** How many children of an index are read to add up its size. */
    static final int MAX_CHILDREN = 64;
    /** The OCI annotation of a creation time. */
    static final String CREATED = "org.opencontainers.image.created";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Inspector() {
    }

    /** What a tag row says of the manifest a tag points at. */
    record Summary(long size, String created, String platforms) {
    }

    static Optional<StoredManifest> manifest(Repository repo, Digest digest) {
        return repo.manifests().get(Reference.of(digest));
    }

    static Optional<Manifest> parse(StoredManifest m) {
        try {
            return Optional.of(Manifest.parse(m.bytes(), m.mediaType()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    /** Size (manifest, config and layers; for an index, every platform's), creation time and platforms. */
    static Summary summary(Repository repo, Digest digest) {
        Optional<StoredManifest> stored = manifest(repo, digest);
        if (stored.isEmpty()) {
            return new Summary(0, "", "");
        }
        Optional<Manifest> parsed = parse(stored.get());
        if (parsed.isEmpty()) {
            return new Summary(stored.get().size(), "", "");
        }
        if (parsed.get() instanceof ImageIndex index) {
            long size = stored.get().size();
            String created = null;
            List<String> platforms = new ArrayList<>();
            int read = 0;
            for (Descriptor child : index.manifests()) {
                if (child.platform() != null && !"unknown".equals(child.platform().os())) {
                    platforms.add(Format.platform(child.platform()));
                }
                if (read++ < MAX_CHILDREN) {
                    Summary s = imageSummary(repo, child.digest());
                    size += s.size();
                    if (created == null && s.created() != null && !s.created().isEmpty()) {
                        created = s.created();
                    }
                }
            }
            return new Summary(size, created == null ? "" : created, String.join(", ", platforms));
        }
        return imageSummary(repo, digest);
    }

    private static Summary imageSummary(Repository repo, Digest digest) {
        Optional<StoredManifest> stored = manifest(repo, digest);
        if (stored.isEmpty()) {
            return new Summary(0, "", "");
        }
        Optional<Manifest> parsed = parse(stored.get());
        if (parsed.isEmpty() || !(parsed.get() instanceof ImageManifest image)) {
            return new Summary(stored.get().size(), "", "");
        }
        long size = stored.get().size() + image.config().size();
        for (Descriptor l : image.layers()) {
            size += l.size();
        }
        String created = config(repo, image).map(c -> Format.time(c.path("created").asText(null))).orElse(null);
        return new Summary(size, created == null ? "" : created, "");
    }

    /** The image config of an image manifest, when it is one the console can read. */
    static Optional<JsonNode> config(Repository repo, ImageManifest image) {
        Descriptor config = image.config();
        if (!isImageConfig(config.mediaType()) || config.size() > MAX_CONFIG) {
            return Optional.empty();
        }
        try (InputStream in = repo.blobs().open(config.digest(), 0)) {
            byte[] bytes = in.readNBytes(MAX_CONFIG + 1);
            if (bytes.length > MAX_CONFIG) {
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(bytes);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (RegistryException | JsonProcessingException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isImageConfig(String mediaType) {
        return MediaTypes.OCI_CONFIG.equals(mediaType) || MediaTypes.DOCKER_CONFIG.equals(mediaType);
    }

    /** The JSON indented for reading; the bytes as text when they are not JSON. */
    static String pretty(byte[] json) {
        try {
            return JSON.writeValueAsString(JSON.readTree(json));
        } catch (IOException e) {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    static String pretty(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            return json.toString();
        }
    }

    /** The config's fields worth reading, in the order people look for them. */
    static List<ImageView.Field> configFields(JsonNode c) {
        List<ImageView.Field> out = new ArrayList<>();
        add(out, "Created", Format.time(c.path("created").asText(null)));
        add(out, "Author", text(c.get("author")));
        String os = text(c.get("os"));
        String arch = text(c.get("architecture"));
        if (os != null || arch != null) {
            String variant = text(c.get("variant"));
            add(out, "Platform", (os == null ? "?" : os) + "/" + (arch == null ? "?" : arch)
                    + (variant == null ? "" : "/" + variant));
        }
        JsonNode cfg = c.path("config");
        add(out, "User", text(cfg.get("User")));
        add(out, "Working directory", text(cfg.get("WorkingDir")));
        add(out, "Entrypoint", list(cfg.get("Entrypoint")));
        add(out, "Cmd", list(cfg.get("Cmd")));
        JsonNode env = cfg.get("Env");
        if (env != null && env.isArray()) {
            for (JsonNode e : env) {
                add(out, "Env", text(e));
            }
        }
        JsonNode ports = cfg.get("ExposedPorts");
        if (ports != null && ports.isObject()) {
            List<String> names = new ArrayList<>();
            ports.properties().forEach(e -> names.add(e.getKey()));
            add(out, "Exposed ports", String.join(", ", names));
        }
        JsonNode volumes = cfg.get("Volumes");
        if (volumes != null && volumes.isObject()) {
            List<String> names = new ArrayList<>();
            volumes.properties().forEach(e -> names.add(e.getKey()));
            add(out, "Volumes", String.join(", ", names));
        }
        add(out, "Stop signal", text(cfg.get("StopSignal")));
        return out;
    }

    static List<ImageView.Field> labels(JsonNode c) {
        List<ImageView.Field> out = new ArrayList<>();
        JsonNode labels = c.path("config").get("Labels");
        if (labels != null && labels.isObject()) {
            for (Map.Entry<String, JsonNode> e : labels.properties()) {
                out.add(new ImageView.Field(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue()
                        : e.getValue().toString()));
            }
        }
        return out;
    }

    /** The build steps, each with the size of the layer it made (steps that made none are marked empty). */
    static List<ImageView.HistoryRow> history(JsonNode c, List<Descriptor> layers) {
        List<ImageView.HistoryRow> out = new ArrayList<>();
        JsonNode history = c.get("history");
        if (history == null || !history.isArray()) {
            return out;
        }
        int layer = 0;
        for (JsonNode h : history) {
            boolean empty = h.path("empty_layer").asBoolean(false);
            String step = text(h.get("created_by"));
            if (step == null) {
                step = text(h.get("comment"));
            }
            step = step == null ? "(no command recorded)" : readable(step);
            String size;
            if (empty) {
                size = "—";
            } else if (layer < layers.size()) {
                size = Format.bytes(layers.get(layer++).size());
            } else {
                size = "?";
            }
            out.add(new ImageView.HistoryRow(Format.time(text(h.get("created"))), step, size, empty));
        }
        return out;
    }

    /** A Dockerfile step as docker records it, without the shell wrapper: {@code RUN apk add curl}. */
    static String readable(String createdBy) {
        String s = createdBy.strip();
        String nop = "/bin/sh -c #(nop) ";
        if (s.startsWith(nop)) {
            return s.substring(nop.length()).strip();
        }
        if (s.startsWith("/bin/sh -c ")) {
            return "RUN " + s.substring("/bin/sh -c ".length()).strip();
        }
        if (s.endsWith(" # buildkit")) {
            return s.substring(0, s.length() - " # buildkit".length()).strip();
        }
        return s;
    }

    /**
     * The referrers of {@code subject}, grouped by artifact type, each with its own referrers, to
     * {@link #REFERRER_DEPTH} levels and {@link #MAX_REFERRERS} nodes.
     */
    static List<ImageView.ReferrerGroup> referrers(Repository repo, Digest subject,
            BiFunction<Digest, Boolean, String> href) {
        return referrers(repo, subject, href, 1, new int[] {0});
    }

    private static List<ImageView.ReferrerGroup> referrers(Repository repo, Digest subject,
            BiFunction<Digest, Boolean, String> href, int depth, int[] shown) {
        Map<String, List<ImageView.ReferrerNode>> groups = new TreeMap<>();
        for (Descriptor d : repo.referrers().list(subject, null)) {
            if (shown[0]++ >= MAX_REFERRERS) {
                break;
            }
            List<ImageView.ReferrerGroup> children = depth < REFERRER_DEPTH
                    ? referrers(repo, d.digest(), href, depth + 1, shown) : List.of();
            String type = d.artifactType() == null ? "(no artifact type)" : d.artifactType();
            groups.computeIfAbsent(type, t -> new ArrayList<>()).add(new ImageView.ReferrerNode(d.digest().toString(),
                    Format.shortDigest(d.digest()), href.apply(d.digest(), false), href.apply(d.digest(), true),
                    Format.bytes(d.size()), Format.time(d.annotations().get(CREATED)), children));
        }
        List<ImageView.ReferrerGroup> out = new ArrayList<>();
        groups.forEach((type, nodes) -> out.add(new ImageView.ReferrerGroup(type, nodes)));
        return out;
    }

    /**
     * The blobs (and manifests, which are blobs too) that the tags of {@code repo} reach, with their sizes: each
     * tagged manifest, the children of an index, configs, layers, and referrers with what they reach.
     */
    static Map<Digest, Long> reachable(Repository repo) {
        Map<Digest, Long> out = new LinkedHashMap<>();
        for (var tag : repo.tags().list()) {
            repo.tags().get(tag).ifPresent(d -> walk(repo, d, out, 0));
        }
        return out;
    }

    private static void walk(Repository repo, Digest digest, Map<Digest, Long> out, int depth) {
        if (out.containsKey(digest) || depth > 8) {
            return;
        }
        Optional<StoredManifest> stored = manifest(repo, digest);
        if (stored.isEmpty()) {
            return;
        }
        out.put(digest, (long) stored.get().size());
        Optional<Manifest> parsed = parse(stored.get());
        if (parsed.isPresent()) {
            if (parsed.get() instanceof ImageIndex index) {
                for (Descriptor child : index.manifests()) {
                    walk(repo, child.digest(), out, depth + 1);
                }
            } else if (parsed.get() instanceof ImageManifest image) {
                out.putIfAbsent(image.config().digest(), image.config().size());
                for (Descriptor l : image.layers()) {
                    out.putIfAbsent(l.digest(), l.size());
                }
            }
        }
        for (Descriptor r : repo.referrers().list(digest, null)) {
            walk(repo, r.digest(), out, depth + 1);
        }
    }

    private static void add(List<ImageView.Field> out, String name, String value) {
        if (value != null && !value.isEmpty()) {
            out.add(new ImageView.Field(name, value));
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.isTextual() ? n.textValue() : n.toString();
    }

    private static String list(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            return text(n);
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode e : n) {
            parts.add(e.isTextual() ? e.textValue() : e.toString());
        }
        try {
            return JSON.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(parts);
        } catch (JsonProcessingException e) {
            return String.join(" ", parts);
        }
    }
}
