package dev.berth.registry.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Points at content: its media type, digest and size, with the optional fields of the OCI descriptor.
 * {@code artifactType} and {@code platform} are null when absent; lists and maps are never null.
 */
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls,
        Map<String, String> annotations, String artifactType, Platform platform) {

    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), null, null);
    }

    public Optional<String> artifactTypeIfAny() {
        return Optional.ofNullable(artifactType);
    }

    public Optional<Platform> platformIfAny() {
        return Optional.ofNullable(platform);
    }
}
