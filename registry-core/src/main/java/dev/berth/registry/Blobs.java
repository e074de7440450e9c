package dev.berth.registry;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.proxy.BlobFetch;
import dev.berth.registry.internal.proxy.PullThrough;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * The blobs of one repository. A blob's bytes are stored once for the whole registry; a repository holds a link to
 * them, and only linked blobs are visible through it. Thread-safe.
 */
public final class Blobs {
    private final Store store;
    private final RepositoryName name;

    private final PullThrough.Target proxy;
    private Uploads uploads;

    Blobs(Store store, RepositoryName name) {
        this(store, name, null);
    }

    Blobs(Store store, RepositoryName name, PullThrough.Target proxy) {
        this.store = store;
        this.name = name;
        this.proxy = proxy;
    }

    /** Where fetched blobs are stored (the repository's uploads). */
    void storeWith(Uploads uploads) {
        this.uploads = uploads;
    }

    /** The blob's descriptor when this repository holds it. */
    public Optional<Descriptor> stat(Digest digest) {
        Optional<Descriptor> cached = store.cache().linkedBlob(name, digest);
        if (cached.isPresent()) {
            return Optional.of(Descriptor.of(MediaTypes.OCTET_STREAM, digest, cached.get().size()));
        }
        if (!isLinked(digest)) {
            return proxy == null ? Optional.empty() : upstreamStat(digest);
        }
        return storedSize(digest).map(size -> Descriptor.of(MediaTypes.OCTET_STREAM, digest, size));
    }

    /**
     * The blob's bytes from {@code offset}. BLOB_UNKNOWN when the repository does not hold it; an offset past the end
     * is RANGE_INVALID. The caller closes the stream.
     */
    public InputStream open(Digest digest, long offset) {
        if (!isLinked(digest)) {
            if (proxy != null) {
                return pullThrough(digest, offset);
            }
            throw unknown(digest);
        }
        return openLocal(digest, offset);
    }

    private InputStream openLocal(Digest digest, long offset) {
        if (!isLinked(digest)) {
            throw unknown(digest);
        }
        try {
            return store.driver().reader(Layout.blobData(digest), offset);
        } catch (PathNotFoundException e) {
            throw unknown(digest);
        } catch (InvalidOffsetException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "offset " + offset + " is past the end of " + digest);
        } catch (IOException e) {
            throw store.unavailable(e);
        }
    }

    /**
     * The blob as a channel on a local file, when the repository holds it and the storage is a local filesystem
     * ({@link dev.berth.registry.spi.storage.StorageDriver#fileChannel}); empty otherwise, and then {@link #open}
     * serves it. For sending it without copying its bytes through the JVM. The caller closes the channel.
     */
    public Optional<FileChannel> openFile(Digest digest) {
        // The driver first: one that has no files answers at once, and costs this blob GET no link lookup.
        Optional<FileChannel> file;
        try {
            file = store.driver().fileChannel(Layout.blobData(digest));
        } catch (PathNotFoundException e) {
            return Optional.empty(); // a pull-through miss, or not here at all: open() says which
        } catch (IOException e) {
            throw store.unavailable(e);
        }
        if (file.isPresent() && !isLinked(digest)) {
            try {
                file.get().close();
            } catch (IOException ignored) {
                // only read from, never written
            }
            return Optional.empty(); // stored for another repository: open() refuses it (or pulls it through)
        }
        return file;
    }

    /** A URL the client may fetch the blob from directly (S3 presigned), when the storage offers one. */
    public Optional<URI> redirectUrl(Digest digest, Duration validity) {
        if (!isLinked(digest)) {
            if (proxy != null) {
                return Optional.empty(); // not here yet: the registry fetches and serves it itself
            }
            throw unknown(digest);
        }
        return store.io(() -> store.driver().redirectUrl(Layout.blobData(digest), validity));
    }

    /**
     * Removes the blob from this repository (its bytes stay until garbage collection frees them). BLOB_UNKNOWN when
     * the repository does not hold it; UNSUPPORTED when deletes are disabled or the registry is read-only.
     */
    public void delete(Digest digest) {
        store.checkWritable();
        store.checkDeletesEnabled();
        boolean deleted;
        try {
            deleted = store.delete(Layout.layerLinkDir(name, digest));
        } finally {
            // Even when the delete failed half-way: the link may be gone, so the cache must not say it is there.
            store.cache().invalidateLink(name, digest);
        }
        if (!deleted) {
            throw unknown(digest);
        }
    }

    /**
     * Makes a blob that repository {@code from} holds visible here too, without copying a byte. Empty when
     * {@code from} does not hold it (the client then uploads it). UNSUPPORTED when the registry is read-only.
     */
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        Uploads.refusePush(name, proxy);
        store.checkWritable();
        store.touch(digest);
        Optional<Descriptor> source = new Blobs(store, from).stat(digest);
        source.ifPresent(d -> link(digest));
        return source;
    }

    boolean isLinked(Digest digest) {
        if (store.cache().isLinked(name, digest)) {
            return true;
        }
        boolean linked = store.readLink(Layout.layerLink(name, digest)).filter(digest::equals).isPresent();
        if (linked) {
            store.cache().fillLink(name, digest);
        }
        return linked;
    }

    /** Links a blob whose bytes are in the store into this repository. */
    void link(Digest digest) {
        store.putLink(Layout.layerLink(name, digest), digest);
    }

    /** The size of a stored blob whether or not it is linked here, for manifest checks. */
    Optional<Long> storedSize(Digest digest) {
        Optional<Descriptor> cached = store.cache().blob(digest);
        if (cached.isPresent()) {
            return Optional.of(cached.get().size());
        }
        Optional<Long> size = store.stat(Layout.blobData(digest)).map(FileInfo::size);
        size.ifPresent(s -> store.cache().fillBlob(Descriptor.of(MediaTypes.OCTET_STREAM, digest, s)));
        return size;
    }

    private RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + name);
    }

    private Optional<Descriptor> upstreamStat(Digest digest) {
        try {
            return proxy.client().blobSize(proxy.remote(), digest)
                    .map(size -> Descriptor.of(MediaTypes.OCTET_STREAM, digest, size));
        } catch (IOException e) {
            throw upstreamUnavailable(digest, e);
        }
    }

    /** A blob this pull-through repository lacks: from the upstream, stored while it streams (read-only: not stored). */
    private InputStream pullThrough(Digest digest, long offset) {
        try {
            if (store.readOnly()) {
                InputStream in = proxy.client().blob(proxy.remote(), digest).orElseThrow(() -> unknown(digest))
                        .stream();
                in.skipNBytes(offset);
                return in;
            }
            return BlobFetch.open(proxy, digest, offset,
                    content -> uploads.store(digest, content), at -> openLocal(digest, at))
                    .orElseThrow(() -> unknown(digest));
        } catch (IOException e) {
            throw upstreamUnavailable(digest, e);
        }
    }

    private RegistryException upstreamUnavailable(Digest digest, IOException e) {
        return new RegistryException(ErrorCode.UNAVAILABLE, "blob " + digest + " is not cached and the upstream "
                + proxy.upstream().redactedUrl() + " failed: " + Failures.describe(e), e);
    }
}
