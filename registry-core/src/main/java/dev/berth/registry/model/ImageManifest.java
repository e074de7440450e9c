package dev.berth.registry.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An OCI image manifest or a Docker schema2 manifest: a config and layers (an artifact when artifactType is set). */
public final class ImageManifest implements Manifest {
    private final byte[] bytes;
    private final Digest digest;
    private final String mediaType;
    private final Descriptor config;
    private final List<Descriptor> layers;
    private final Descriptor subject;
    private final String artifactType;
    private final Map<String, String> annotations;

    ImageManifest(byte[] bytes, String mediaType, Descriptor config, List<Descriptor> layers, Descriptor subject,
            String artifactType, Map<String, String> annotations) {
        this.bytes = bytes.clone();
        this.digest = Digest.sha256(this.bytes);
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.config = Objects.requireNonNull(config, "config");
        this.layers = List.copyOf(layers);
        this.subject = subject;
        this.artifactType = artifactType;
        this.annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int size() {
        return bytes.length;
    }

    @Override
    public String mediaType() {
        return mediaType;
    }

    public Descriptor config() {
        return config;
    }

    public List<Descriptor> layers() {
        return layers;
    }

    @Override
    public Optional<String> artifactType() {
        return Optional.ofNullable(artifactType);
    }

    @Override
    public Optional<Descriptor> subject() {
        return Optional.ofNullable(subject);
    }

    @Override
    public Map<String, String> annotations() {
        return annotations;
    }

    @Override
    public List<Descriptor> references() {
        List<Descriptor> refs = new ArrayList<>(layers.size() + 1);
        refs.add(config);
        refs.addAll(layers);
        return Collections.unmodifiableList(refs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageManifest m && Arrays.equals(bytes, m.bytes) && mediaType.equals(m.mediaType);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "ImageManifest[" + mediaType + " " + digest + ", " + layers.size() + " layers]";
    }
}
