package dev.berth.registry.internal.repository;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Page;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.repository.Tags;
import dev.berth.registry.spi.storage.FileInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The tags of a repository in storage, and what manifest pushes and deletes do to them. */
public final class LocalTags implements Tags {
    private final Store store;
    private final RepositoryName name;

    LocalTags(Store store, RepositoryName name) {
        this.store = store;
        this.name = name;
    }

    @Override
    public Page<Tag> list(int n, String last) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        if (!LocalRepository.holdsData(store, name)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + name + " is not known to this registry");
        }
        List<Tag> all = new ArrayList<>();
        for (String path : store.list(Layout.tagsDir(name))) {
            String tag = StoragePaths.name(path);
            if (Tag.isValid(tag) && (last == null || tag.compareTo(last) > 0)) {
                all.add(new Tag(tag));
            }
        }
        all.sort(null);
        return Page.first(all, n);
    }

    @Override
    public Optional<Digest> get(Tag tag) {
        return store.readLink(Layout.tagCurrentLink(name, tag));
    }

    /** When a tag was last pointed at a manifest (pushed, or fetched from an upstream), when it exists. */
    public Optional<Instant> written(Tag tag) {
        return store.stat(Layout.tagCurrentLink(name, tag)).map(FileInfo::modTime);
    }

    @Override
    public void delete(Tag tag) {
        store.checkWritable();
        store.checkDeletesEnabled();
        if (store.immutableTags().isImmutable(name, tag) && get(tag).isPresent()) {
            throw ImmutableTags.denied(name, tag, "deleting it");
        }
        boolean deleted;
        try {
            deleted = store.delete(Layout.tagDir(name, tag));
        } finally {
            store.cache().invalidateTag(name, tag);
        }
        if (!deleted) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "tag " + tag + " is not in repository " + name);
        }
    }

    /**
     * Refuses (DENIED) to point an immutable tag that exists at another digest than its own; pointing it at the digest
     * it has is a no-op the caller may do.
     */
    void checkMayPoint(Tag tag, Digest digest) {
        if (store.immutableTags().isImmutable(name, tag)) {
            Optional<Digest> current = get(tag);
            if (current.isPresent() && !current.get().equals(digest)) {
                throw ImmutableTags.denied(name, tag, "moving it from " + current.get() + " to " + digest);
            }
        }
    }

    /** The tags that point at {@code digest}, unsorted. */
    List<Tag> pointingAt(Digest digest) {
        List<Tag> out = new ArrayList<>();
        for (String path : store.list(Layout.tagsDir(name))) {
            String tag = StoragePaths.name(path);
            if (Tag.isValid(tag) && get(new Tag(tag)).filter(digest::equals).isPresent()) {
                out.add(new Tag(tag));
            }
        }
        return out;
    }

    /** Points a tag at a manifest: the history entry first, then the one atomic write that moves the tag. */
    void set(Tag tag, Digest digest) {
        store.putLink(Layout.tagIndexLink(name, tag, digest), digest);
        try {
            store.putLink(Layout.tagCurrentLink(name, tag), digest);
        } finally {
            store.cache().invalidateTag(name, tag);
        }
    }

    /**
     * Removes every tag that points at {@code digest}; DENIED, before removing any, when one of them is immutable.
     */
    void untagAll(Digest digest) {
        List<Tag> tags = pointingAt(digest);
        for (Tag tag : tags) {
            if (store.immutableTags().isImmutable(name, tag)) {
                throw ImmutableTags.denied(name, tag, "deleting manifest " + digest + ", which it points at,");
            }
        }
        for (Tag tag : tags) {
            try {
                store.delete(Layout.tagDir(name, tag));
            } finally {
                store.cache().invalidateTag(name, tag);
            }
        }
    }
}
