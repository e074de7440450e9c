package dev.berth.registry.repository;

import dev.berth.registry.model.Digest;
import java.util.Objects;

/** A manifest as a repository serves it: the exact bytes that were pushed, their digest and media type. */
public final class StoredManifest {
    private final Digest digest;
    private final String mediaType;
    private final byte[] bytes;

    public StoredManifest(Digest digest, String mediaType, byte[] bytes) {
        this.digest = Objects.requireNonNull(digest, "digest");
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.bytes = bytes.clone();
    }

    public Digest digest() {
        return digest;
    }

    public String mediaType() {
        return mediaType;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "StoredManifest[" + mediaType + " " + digest + ", " + bytes.length + " bytes]";
    }
}
