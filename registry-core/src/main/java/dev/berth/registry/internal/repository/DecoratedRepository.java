package dev.berth.registry.internal.repository;

import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Blobs;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.Referrers;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Tags;
import dev.berth.registry.repository.Uploads;

/**
 * A repository a decorator made of another: the parts it wraps or replaces, the others as {@code inner} has them, and
 * the name and existence of {@code inner}.
 */
public record DecoratedRepository(Repository inner, Blobs blobs, Uploads uploads, Manifests manifests, Tags tags,
        Referrers referrers) implements Repository {

    @Override
    public RepositoryName name() {
        return inner.name();
    }

    @Override
    public boolean exists() {
        return inner.exists();
    }

    @Override
    public String toString() {
        return inner.toString();
    }
}
