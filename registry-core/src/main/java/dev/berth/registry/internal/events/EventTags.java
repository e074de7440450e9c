package dev.berth.registry.internal.events;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Page;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Tags;
import java.util.Optional;

/** Tags that report deletes. */
record EventTags(RepositoryName name, Tags inner, EventEmitter emitter) implements Tags {

    @Override
    public Page<Tag> list(int n, String last) {
        return inner.list(n, last);
    }

    @Override
    public Optional<Digest> get(Tag tag) {
        return inner.get(tag);
    }

    @Override
    public void delete(Tag tag) {
        inner.delete(tag);
        emitter.tagDeleted(name, tag);
    }
}
