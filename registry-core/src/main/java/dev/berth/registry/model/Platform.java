package dev.berth.registry.model;

import java.util.List;
import java.util.Objects;

/** The platform of an index entry: {@code linux/arm64/v8} and its optional details. */
public record Platform(String architecture, String os, String osVersion, List<String> osFeatures, String variant,
        List<String> features) {
    public Platform {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(os, "os");
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
        features = features == null ? List.of() : List.copyOf(features);
    }
}
