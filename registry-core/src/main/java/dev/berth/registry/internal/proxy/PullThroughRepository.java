package dev.berth.registry.internal.proxy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.repository.DecoratedRepository;
import dev.berth.registry.internal.repository.LocalRepository;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import java.util.function.Supplier;

/**
 * A repository that caches an upstream's (distribution's proxy repository): the manifests and blobs it lacks in
 * storage are fetched from the upstream and stored ({@link PullThroughManifests}, {@link PullThroughBlobs}); tags,
 * referrers and deletes are the local repository's; pushes and mounts are UNSUPPORTED, since the content comes from
 * the upstream. Wraps the repository in storage, which knows nothing of upstreams.
 */
public final class PullThroughRepository {

    private PullThroughRepository() {
    }

    /** {@code local}, pulling through from {@code target}. */
    public static Repository of(LocalRepository local, PullThrough.Target target) {
        Supplier<RegistryException> refusal = () -> new RegistryException(ErrorCode.UNSUPPORTED, "repository "
                + local.name() + " is a pull-through cache of " + target.upstream().redactedUrl()
                + "; push to a repository outside "
                + (target.upstream().prefix().isEmpty() ? "the mirror" : target.upstream().prefix() + "/"));
        return new DecoratedRepository(local, new PullThroughBlobs(local, target, refusal),
                new RefusingUploads(local.uploads(), refusal), new PullThroughManifests(local, target, refusal),
                local.tags(), local.referrers());
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
