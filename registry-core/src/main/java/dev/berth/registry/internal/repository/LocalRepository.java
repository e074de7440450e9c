package dev.berth.registry.internal.repository;

import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Repository;

/**
 * A repository as it is in storage, and nothing else: no upstream, no events. The decorators that add those
 * ({@code internal.proxy}, {@code internal.events}) wrap it when the registry builds a repository.
 */
public final class LocalRepository implements Repository {
    private final Store store;
    private final RepositoryName name;
    private final LocalBlobs blobs;
    private final LocalUploads uploads;
    private final LocalTags tags;
    private final LocalManifests manifests;
    private final LocalReferrers referrers;

    public LocalRepository(Store store, RepositoryName name) {
        this.store = store;
        this.name = name;
        this.blobs = new LocalBlobs(store, name);
        this.uploads = new LocalUploads(store, name, blobs);
        this.tags = new LocalTags(store, name);
        this.manifests = new LocalManifests(store, name, blobs, tags);
        this.referrers = new LocalReferrers(store, name, manifests);
    }

    @Override
    public RepositoryName name() {
        return name;
    }

    @Override
    public boolean exists() {
        return holdsData(store, name);
    }

    /** Whether the repository's folder holds any of its own folders (one list of the folder). */
    public static boolean holdsData(Store store, RepositoryName name) {
        for (String child : store.list(Layout.repository(name))) {
            if (Layout.REPOSITORY_DIRS.contains(StoragePaths.name(child))) {
                return true;
            }
        }
        return false;
    }

    /** The store the repository is in. */
    public Store store() {
        return store;
    }

    @Override
    public LocalBlobs blobs() {
        return blobs;
    }

    @Override
    public LocalUploads uploads() {
        return uploads;
    }

    @Override
    public LocalManifests manifests() {
        return manifests;
    }

    @Override
    public LocalTags tags() {
        return tags;
    }

    @Override
    public LocalReferrers referrers() {
        return referrers;
    }

    @Override
    public String toString() {
        return "Repository[" + name + "]";
    }
}
