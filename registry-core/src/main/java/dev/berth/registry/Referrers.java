package dev.berth.registry;

import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.RepositoryName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The referrers API of one repository: the manifests whose {@code subject} is a given digest (signatures, SBOMs,
 * attestations). Answered from an index kept on manifest put and delete, checked against the manifests themselves,
 * so an entry whose manifest was removed by other means is not shown. Thread-safe.
 */
public final class Referrers {
    private final Store store;
    private final RepositoryName name;
    private final Manifests manifests;

    Referrers(Store store, RepositoryName name, Manifests manifests) {
        this.store = store;
        this.name = name;
        this.manifests = manifests;
    }

    /**
     * Descriptors of the manifests that refer to {@code subject}, optionally only those of one artifact type, sorted
     * by digest. Empty (never an error) when there are none, whether or not the subject exists.
     */
    public List<Descriptor> list(Digest subject, String artifactType) {
        List<Descriptor> result = new ArrayList<>();
        for (String algorithmDir : store.list(Layout.referrersDir(name, subject))) {
            for (String linkDir : store.list(algorithmDir)) {
                Optional<Digest> referrer = store.readLink(linkDir + "/" + Layout.LINK);
                if (referrer.isEmpty() || !StoragePaths.name(linkDir).equals(referrer.get().hex())) {
                    continue;
                }
                manifests.resolve(dev.berth.registry.model.Reference.of(referrer.get()))
                        .flatMap(manifests::read)
                        .flatMap(Manifests::parseQuietly)
                        .filter(m -> m.subject().map(s -> s.digest().equals(subject)).orElse(false))
                        .map(m -> descriptorOf(m, referrer.get()))
                        .filter(d -> artifactType == null || artifactType.equals(d.artifactType()))
                        .ifPresent(result::add);
            }
        }
        result.sort(Comparator.comparing(Descriptor::digest));
        return result;
    }

    private static Descriptor descriptorOf(Manifest m, Digest digest) {
        Descriptor d = m.descriptor();
        return new Descriptor(d.mediaType(), digest, d.size(), List.of(), d.annotations(), d.artifactType(), null);
    }
}
