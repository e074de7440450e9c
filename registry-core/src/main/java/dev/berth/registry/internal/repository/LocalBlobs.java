package dev.berth.registry.internal.repository;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Blobs;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;

/** The blobs of a repository in storage: the links to them in the repository, the bytes in the blob store. */
public final class LocalBlobs implements Blobs {
    private final Store store;
    private final RepositoryName name;

    LocalBlobs(Store store, RepositoryName name) {
        this.store = store;
        this.name = name;
    }

    @Override
    public Optional<Descriptor> stat(Digest digest) {
        Optional<Descriptor> cached = store.cache().linkedBlob(name, digest);
        if (cached.isPresent()) {
            return Optional.of(Descriptor.of(MediaTypes.OCTET_STREAM, digest, cached.get().size()));
        }
        if (!isLinked(digest)) {
            return Optional.empty();
        }
        return storedSize(digest).map(size -> Descriptor.of(MediaTypes.OCTET_STREAM, digest, size));
    }

    @Override
    public InputStream open(Digest digest, long offset) {
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

    @Override
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

    @Override
    public Optional<URI> redirectUrl(Digest digest, Duration validity) {
        if (!isLinked(digest)) {
            throw unknown(digest);
        }
        return store.io(() -> store.driver().redirectUrl(Layout.blobData(digest), validity));
    }

    @Override
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

    @Override
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        store.checkWritable();
        store.touch(digest);
        Optional<Descriptor> source = new LocalBlobs(store, from).stat(digest);
        source.ifPresent(d -> link(digest));
        return source;
    }

    /** Whether this repository links the blob (whether or not its bytes are still in the store). */
    public boolean isLinked(Digest digest) {
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

    /** BLOB_UNKNOWN for a blob this repository does not hold. */
    public RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + name);
    }
}
