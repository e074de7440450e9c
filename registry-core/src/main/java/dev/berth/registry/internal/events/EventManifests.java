package dev.berth.registry.internal.events;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.StoredManifest;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Predicate;

/** Manifests that report pushes (one per tag), pulls ({@code get} of what is served, not {@code stat}) and deletes. */
record EventManifests(RepositoryName name, Manifests inner, EventEmitter emitter) implements Manifests {

    @Override
    public PutResult put(Reference reference, String contentType, byte[] bytes, Collection<Tag> moreTags) {
        PutResult put = inner.put(reference, contentType, bytes, moreTags);
        emitter.manifestPushed(name, reference, moreTags, put);
        return put;
    }

    @Override
    public Optional<Digest> resolve(Reference reference) {
        return inner.resolve(reference);
    }

    @Override
    public Optional<StoredManifest> get(Reference reference) {
        Optional<StoredManifest> m = inner.get(reference);
        m.ifPresent(stored -> emitter.manifestPulled(name, reference, stored));
        return m;
    }

    @Override
    public Optional<StoredManifest> get(Reference reference, Predicate<String> accepts) {
        Optional<StoredManifest> m = inner.get(reference, accepts);
        m.ifPresent(stored -> emitter.manifestPulled(name, reference, stored));
        return m;
    }

    @Override
    public Optional<Descriptor> stat(Reference reference) {
        return inner.stat(reference);
    }

    @Override
    public void delete(Digest digest) {
        inner.delete(digest);
        emitter.manifestDeleted(name, digest);
    }
}
