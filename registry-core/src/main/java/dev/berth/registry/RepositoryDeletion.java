package dev.berth.registry;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.util.List;

/**
 * What {@link Registry#deleteRepository(RepositoryName)} removed: the repository's tags, the manifests and blobs it
 * linked (their bytes stay in the blob store until garbage collection frees those no other repository links), and the
 * number of uploads in progress it cancelled.
 */
public record RepositoryDeletion(RepositoryName repository, List<Tag> tags, List<Digest> manifests,
        List<Digest> blobs, int uploads) {
    public RepositoryDeletion {
        tags = List.copyOf(tags);
        manifests = List.copyOf(manifests);
        blobs = List.copyOf(blobs);
    }

    @Override
    public String toString() {
        return "deleted repository " + repository + ": " + tags.size() + " tag(s), " + manifests.size()
                + " manifest(s), " + blobs.size() + " blob link(s), " + uploads + " upload(s)";
    }
}
