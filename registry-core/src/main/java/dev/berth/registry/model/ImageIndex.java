package dev.berth.registry.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An OCI image index or a Docker manifest list: manifests for several platforms (or artifacts). */
public final class ImageIndex implements Manifest {
    private final byte[] bytes;
    private final Digest digest;
    private final String mediaType;
    private final List<Descriptor> manifests;
    private final Descriptor subject;
    private final String artifactType;
    private final Map<String, String> annotations;

    ImageIndex(byte[] bytes, String mediaType, List<Descriptor> manifests, Descriptor subject, String artifactType,
            Map<String, String> annotations) {
        this.bytes = bytes.clone();
        this.digest = Digest.sha256(this.bytes);
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.manifests = List.copyOf(manifests);
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

    /** The child manifests, in the order of the document. */
    public List<Descriptor> manifests() {
        return manifests;
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
        return manifests;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageIndex m && Arrays.equals(bytes, m.bytes) && mediaType.equals(m.mediaType);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "ImageIndex[" + mediaType + " " + digest + ", " + manifests.size() + " manifests]";
    }
}
