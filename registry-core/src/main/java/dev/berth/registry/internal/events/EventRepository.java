package dev.berth.registry.internal.events;

import dev.berth.registry.Blobs;
import dev.berth.registry.Manifests;
import dev.berth.registry.Referrers;
import dev.berth.registry.Repository;
import dev.berth.registry.Tags;
import dev.berth.registry.Uploads;
import dev.berth.registry.model.RepositoryName;

/**
 * A repository that reports what is done through it (distribution's notification repository): each push, pull,
 * mount and delete that succeeded becomes one event of its {@link EventEmitter}'s context. Pulls are what hands
 * content out: a manifest's {@code get} and a blob's {@code open}, {@code openFile} or {@code redirectUrl}; a
 * {@code stat} (a HEAD) is not one. What fails raises nothing.
 */
public final class EventRepository implements Repository {
    private final Repository inner;
    private final Blobs blobs;
    private final Uploads uploads;
    private final Manifests manifests;
    private final Tags tags;

    public EventRepository(Repository inner, EventEmitter emitter) {
        this.inner = inner;
        this.blobs = new EventBlobs(inner.name(), inner.blobs(), emitter);
        this.uploads = new EventUploads(inner.name(), inner.uploads(), emitter);
        this.manifests = new EventManifests(inner.name(), inner.manifests(), emitter);
        this.tags = new EventTags(inner.name(), inner.tags(), emitter);
    }

    @Override
    public RepositoryName name() {
        return inner.name();
    }

    @Override
    public boolean exists() {
        return inner.exists();
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
        return tags;
    }

    @Override
    public Referrers referrers() {
        return inner.referrers();
    }

    @Override
    public String toString() {
        return inner.toString();
    }
}
