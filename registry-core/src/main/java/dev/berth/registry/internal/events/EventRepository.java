package dev.berth.registry.internal.events;

import dev.berth.registry.internal.repository.DecoratedRepository;
import dev.berth.registry.repository.Repository;

/**
 * A repository that reports what is done through it (distribution's notification repository): each push, pull,
 * mount and delete that succeeded becomes one event of its {@link EventEmitter}'s context. Pulls are what hands
 * content out: a manifest's {@code get} and a blob's {@code open}, {@code openFile} or {@code redirectUrl}; a
 * {@code stat} (a HEAD) is not one. What fails raises nothing.
 */
public final class EventRepository {

    private EventRepository() {
    }

    /** {@code inner}, reporting to {@code emitter}. */
    public static Repository of(Repository inner, EventEmitter emitter) {
        return new DecoratedRepository(inner, new EventBlobs(inner.name(), inner.blobs(), emitter),
                new EventUploads(inner.name(), inner.uploads(), emitter),
                new EventManifests(inner.name(), inner.manifests(), emitter),
                new EventTags(inner.name(), inner.tags(), emitter), inner.referrers());
    }
}
