package dev.berth.registry.repository;

import dev.berth.registry.model.RepositoryName;

/**
 * One repository of a {@link dev.berth.registry.Registry}: its blobs, uploads, manifests, tags and referrers. Cheap to create and
 * holds no state of its own (everything is in storage); a repository exists once something has been pushed to it.
 *
 * <p>{@link dev.berth.registry.Registry#repository(RepositoryName)} builds it as what the registry's configuration makes of it: the
 * repository in storage, wrapped, when an upstream serves its name, in a pull-through cache, and, when the registry
 * has an {@link dev.berth.registry.Registry.Builder#events event listener}, in a layer that reports what was pushed, pulled, mounted
 * and deleted. Embedders use these interfaces and need not implement them; an implementation that decorates another
 * must be thread-safe as they are. Thread-safe.
 */
public interface Repository {

    RepositoryName name();

    /**
     * True once anything (an upload, a blob, a manifest) has been pushed to this repository. A repository that only
     * has nested repositories ({@code a} when only {@code a/b} was pushed, or after {@code a} was deleted) does not
     * exist.
     */
    boolean exists();

    Blobs blobs();

    Uploads uploads();

    Manifests manifests();

    Tags tags();

    Referrers referrers();
}
