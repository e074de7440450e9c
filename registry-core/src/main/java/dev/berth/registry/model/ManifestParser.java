package dev.berth.registry.model;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;

/** Parses and validates pushed manifests. (To be written: see Manifest.parse.) */
final class ManifestParser {
    private ManifestParser() {
    }

    static Manifest parse(byte[] bytes, String contentType) {
        throw new RegistryException(ErrorCode.UNSUPPORTED, "not yet");
    }
}
