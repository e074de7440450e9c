package dev.berth.registry.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest as pushed: its exact bytes, the digest of those bytes, and a parsed view. The digest is always of the
 * bytes as they came, never of a re-serialisation. Instances are immutable and validated; build them with
 * {@link #parse(byte[], String)}.
 */
public sealed interface Manifest permits ImageManifest, ImageIndex {

    /** The sha256 digest of {@link #bytes()}. */
    Digest digest();

    /** A copy of the exact bytes as pushed. */
    byte[] bytes();

    /** The size of {@link #bytes()}. */
    int size();

    /** The manifest's media type: its {@code mediaType} field, else the Content-Type it was pushed with. */
    String mediaType();

    /** {@code artifactType} of an OCI manifest or index, when set. */
    Optional<String> artifactType();

    /** The manifest this one refers to (a signature's or an SBOM's image), when set. */
    Optional<Descriptor> subject();

    Map<String, String> annotations();

    /**
     * What must exist in the repository for this manifest to be accepted: config and layers of an image manifest,
     * child manifests of an index. Never the subject, which may be pushed later.
     */
    List<Descriptor> references();

    /** A descriptor of this manifest, as a referrers list or an index shows it. */
    default Descriptor descriptor() {
        return new Descriptor(mediaType(), digest(), size(), List.of(), annotations(), effectiveArtifactType(), null);
    }

    /** {@code artifactType}, else the config's media type for an image manifest (the referrers API's rule). */
    default String effectiveArtifactType() {
        if (artifactType().isPresent()) {
            return artifactType().get();
        }
        return this instanceof ImageManifest m ? m.config().mediaType() : null;
    }

    /**
     * Parses and validates a pushed manifest.
     *
     * @param bytes       the body exactly as received
     * @param contentType the request's Content-Type, or null when it had none
     * @throws dev.berth.registry.error.RegistryException MANIFEST_INVALID (or UNSUPPORTED) saying what is wrong
     */
    static Manifest parse(byte[] bytes, String contentType) {
        return ManifestParser.parse(bytes, contentType);
    }
}
