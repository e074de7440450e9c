package dev.berth.registry.repository;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * The blobs of one repository. A blob's bytes are stored once for the whole registry; a repository holds a link to
 * them, and only linked blobs are visible through it. In a pull-through repository a blob it lacks is fetched from
 * the upstream ({@link dev.berth.registry.Registry.Builder#upstream}). Thread-safe.
 */
public interface Blobs {

    /** The blob's descriptor when this repository holds it (a HEAD: never reported as a pull). */
    Optional<Descriptor> stat(Digest digest);

    /**
     * The blob's bytes from {@code offset}. BLOB_UNKNOWN when the repository does not hold it; an offset past the end
     * is RANGE_INVALID. The caller closes the stream. Reported as a pull.
     */
    InputStream open(Digest digest, long offset);

    /**
     * The blob as a channel on a local file, when the repository holds it and the storage is a local filesystem
     * ({@link dev.berth.registry.spi.storage.StorageDriver#fileChannel}); empty otherwise, and then {@link #open}
     * serves it. For sending it without copying its bytes through the JVM. The caller closes the channel. Reported
     * as a pull when present.
     */
    Optional<FileChannel> openFile(Digest digest);

    /**
     * A URL the client may fetch the blob from directly (S3 presigned), when the storage offers one. Reported as a
     * pull when present. BLOB_UNKNOWN when the repository does not hold it (a pull-through repository answers empty
     * then: it fetches and serves the blob itself).
     */
    Optional<URI> redirectUrl(Digest digest, Duration validity);

    /**
     * Removes the blob from this repository (its bytes stay until garbage collection frees them). BLOB_UNKNOWN when
     * the repository does not hold it; UNSUPPORTED when deletes are disabled or the registry is read-only.
     */
    void delete(Digest digest);

    /**
     * Makes a blob that repository {@code from} holds visible here too, without copying a byte. Empty when
     * {@code from} does not hold it (the client then uploads it). UNSUPPORTED when the registry is read-only or this
     * repository is a pull-through cache.
     */
    Optional<Descriptor> mount(Digest digest, RepositoryName from);
}
