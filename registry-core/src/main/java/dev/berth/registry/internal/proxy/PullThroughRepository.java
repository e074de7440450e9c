package dev.berth.registry.internal.proxy;

import dev.berth.registry.Blobs;
import dev.berth.registry.Manifests;
import dev.berth.registry.Referrers;
import dev.berth.registry.Repository;
import dev.berth.registry.Tags;
import dev.berth.registry.Uploads;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.repository.LocalRepository;
import dev.berth.registry.model.RepositoryName;
import java.util.function.Supplier;

/**
 * A repository that caches an upstream's (distribution's proxy repository): the manifests and blobs it lacks in
 * storage are fetched from the upstream and stored ({@link PullThroughManifests}, {@link PullThroughBlobs}); tags,
 * referrers and deletes are the local repository's; pushes and mounts are UNSUPPORTED, since the content comes from
 * the upstream. Wraps the repository in storage, which knows nothing of upstreams.
 */
public final class PullThroughRepository implements Repository {
    private final LocalRepository local;
    private final PullThrough.Target target;
    private final PullThroughBlobs blobs;
    private final Uploads uploads;
    private final PullThroughManifests manifests;

    public PullThroughRepository(LocalRepository local, PullThrough.Target target) {
        this.local = local;
        this.target = target;
        this.blobs = new PullThroughBlobs(local, target, this::refusePush);
        this.uploads = new RefusingUploads(local.uploads(), this::refusePush);
        this.manifests = new PullThroughManifests(local, target, this::refusePush);
    }

    /** UNSUPPORTED: the repository mirrors an upstream, and its content comes from there. */
    private RegistryException refusePush() {
        return new RegistryException(ErrorCode.UNSUPPORTED, "repository " + local.name() + " is a pull-through cache"
                + " of " + target.upstream().redactedUrl() + "; push to a repository outside "
                + (target.upstream().prefix().isEmpty() ? "the mirror" : target.upstream().prefix() + "/"));
    }

    @Override
    public RepositoryName name() {
        return local.name();
    }

    @Override
    public boolean exists() {
        return local.exists();
    }

    @Override
    public Blobs blobs() {
        return blobs;
    }

    @Override
    public Uploads uploads() {
        return uploads;
    }

    @Override
    public Manifests manifests() {
        return manifests;
    }

    @Override
    public Tags tags() {
        return local.tags();
    }

    @Override
    public Referrers referrers() {
        return local.referrers();
    }

    @Override
    public String toString() {
        return "PullThroughRepository[" + local.name() + " <- " + target.upstream().redactedUrl() + "]";
    }

    /** The uploads of a pull-through repository: none may start; what started before it was one is served. */
    private record RefusingUploads(Uploads local, Supplier<RegistryException> refusal)
            implements Uploads {
        @Override
        public UploadStatus start() {
            throw refusal.get();
        }

        @Override
        public UploadStatus status(String id) {
            return local.status(id);
        }

        @Override
        public ChunkWriter openChunk(String id, long expectedOffset, long length) {
            return local.openChunk(id, expectedOffset, length);
        }

        @Override
        public void cancel(String id) {
            local.cancel(id);
        }
    }
}
