package dev.berth.registry.internal.events;

import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Blobs;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;

/** Blobs that report pulls (content handed out), mounts and deletes. */
record EventBlobs(RepositoryName name, Blobs inner, EventEmitter emitter) implements Blobs {

    @Override
    public Optional<Descriptor> stat(Digest digest) {
        return inner.stat(digest);
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        InputStream in = inner.open(digest, offset);
        emitter.blobPulled(name, digest, size(digest));
        return in;
    }

    @Override
    public Optional<FileChannel> openFile(Digest digest) {
        Optional<FileChannel> file = inner.openFile(digest);
        if (file.isPresent()) {
            long size;
            try {
                size = file.get().size();
            } catch (IOException e) {
                size = -1; // the transfer will tell; the event goes out without a size
            }
            emitter.blobPulled(name, digest, size);
        }
        return file;
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest, Duration validity) {
        Optional<URI> url = inner.redirectUrl(digest, validity);
        if (url.isPresent()) {
            emitter.blobPulled(name, digest, size(digest));
        }
        return url;
    }

    /** The blob's size for an event, or -1 when it cannot be had: the content was handed out all the same. */
    private long size(Digest digest) {
        try {
            return inner.stat(digest).map(Descriptor::size).orElse(-1L);
        } catch (RegistryException e) {
            return -1;
        }
    }

    @Override
    public void delete(Digest digest) {
        inner.delete(digest);
        emitter.blobDeleted(name, digest);
    }

    @Override
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        Optional<Descriptor> mounted = inner.mount(digest, from);
        mounted.ifPresent(blob -> emitter.blobMounted(name, blob, from));
        return mounted;
    }
}
