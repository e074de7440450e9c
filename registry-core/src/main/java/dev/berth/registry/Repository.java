package dev.berth.registry;

import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.proxy.PullThrough;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.RepositoryName;

/**
 * One repository of a {@link Registry}: its blobs, uploads, manifests, tags and referrers. Cheap to create and
 * holds no state of its own (everything is in storage); a repository exists once something has been pushed to it.
 */
public final class Repository {
    private final Store store;
    private final RepositoryName name;
    private final Blobs blobs;
    private final Uploads uploads;
    private final Tags tags;
    private final Manifests manifests;
    private final Referrers referrers;

    Repository(Store store, RepositoryName name) {
        this(store, name, null);
    }

    Repository(Store store, RepositoryName name, PullThrough.Target proxy) {
        this.store = store;
        this.name = name;
        this.blobs = new Blobs(store, name, proxy);
        this.uploads = new Uploads(store, name, blobs, proxy);
        blobs.storeWith(uploads);
        this.tags = new Tags(store, name);
        this.manifests = new Manifests(store, name, blobs, tags, proxy);
        this.referrers = new Referrers(store, name, manifests);
    }

    public RepositoryName name() {
        return name;
    }

    /**
     * True once anything (an upload, a blob, a manifest) has been pushed to this repository. A repository that only
     * has nested repositories ({@code a} when only {@code a/b} was pushed, or after {@code a} was deleted) does not
     * exist.
     */
    public boolean exists() {
        return holdsData(store, name);
    }

    /** Whether the repository's folder holds any of its own folders (one list of the folder). */
    static boolean holdsData(Store store, RepositoryName name) {
        for (String child : store.list(Layout.repository(name))) {
            if (Layout.REPOSITORY_DIRS.contains(StoragePaths.name(child))) {
                return true;
            }
        }
        return false;
    }

    public Blobs blobs() {
        return blobs;
    }

    public Uploads uploads() {
        return uploads;
    }

    public Manifests manifests() {
        return manifests;
    }

    public Tags tags() {
        return tags;
    }

    public Referrers referrers() {
        return referrers;
    }

    @Override
    public String toString() {
        return "Repository[" + name + "]";
    }
}
