package dev.berth.registry.internal.repository;

import dev.berth.registry.Blobs;
import dev.berth.registry.Manifests;
import dev.berth.registry.Referrers;
import dev.berth.registry.Repository;
import dev.berth.registry.Tags;
import dev.berth.registry.Uploads;
import dev.berth.registry.model.RepositoryName;

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
