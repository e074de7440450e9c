package dev.berth.registry.internal.proxy;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.repository.LocalRepository;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Blobs;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The blobs of a pull-through repository: those in storage as they are; one that is not is described by the upstream
 * and, when opened, fetched from it and stored while it streams ({@link BlobFetch}), or only streamed when the
 * registry is read-only.
 */
record PullThroughBlobs(LocalRepository local, PullThrough.Target target, Supplier<RegistryException> refusal)
        implements Blobs {

    @Override
    public Optional<Descriptor> stat(Digest digest) {
        Optional<Descriptor> here = local.blobs().stat(digest);
        if (here.isPresent() || local.blobs().isLinked(digest)) {
            return here;
        }
        try {
            return target.client().blobSize(target.remote(), digest)
                    .map(size -> Descriptor.of(MediaTypes.OCTET_STREAM, digest, size));
        } catch (IOException e) {
            throw upstreamUnavailable(digest, e);
        }
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        return local.blobs().isLinked(digest) ? local.blobs().open(digest, offset) : pullThrough(digest, offset);
    }

    /** A blob this repository lacks: from the upstream, stored while it streams (read-only: not stored). */
    private InputStream pullThrough(Digest digest, long offset) {
        try {
            if (local.store().readOnly()) {
                InputStream in = target.client().blob(target.remote(), digest)
                        .orElseThrow(() -> local.blobs().unknown(digest)).stream();
                in.skipNBytes(offset);
                return in;
            }
            return BlobFetch.open(target, digest, offset, content -> local.uploads().put(digest, content),
                    at -> local.blobs().open(digest, at)).orElseThrow(() -> local.blobs().unknown(digest));
        } catch (IOException e) {
            throw upstreamUnavailable(digest, e);
        }
    }

    private RegistryException upstreamUnavailable(Digest digest, IOException e) {
        return new RegistryException(ErrorCode.UNAVAILABLE, "blob " + digest + " is not cached and the upstream "
                + target.upstream().redactedUrl() + " failed: " + Failures.describe(e), e);
    }

    /** Empty for a blob not in storage yet (a pull-through miss): {@link #open} fetches it. */
    @Override
    public Optional<FileChannel> openFile(Digest digest) {
        return local.blobs().openFile(digest);
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest, Duration validity) {
        if (!local.blobs().isLinked(digest)) {
            return Optional.empty(); // not here yet: the registry fetches and serves it itself
        }
        return local.blobs().redirectUrl(digest, validity);
    }

    @Override
    public void delete(Digest digest) {
        local.blobs().delete(digest);
    }

    @Override
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        throw refusal.get();
    }
}
