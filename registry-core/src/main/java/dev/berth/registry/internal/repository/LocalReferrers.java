package dev.berth.registry.internal.repository;

import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Referrers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The referrers of a repository in storage, from its referrers index checked against the manifests. */
final class LocalReferrers implements Referrers {
    private final Store store;
    private final RepositoryName name;
    private final LocalManifests manifests;

    LocalReferrers(Store store, RepositoryName name, LocalManifests manifests) {
        this.store = store;
        this.name = name;
        this.manifests = manifests;
    }

    @Override
    public List<Descriptor> list(Digest subject, String artifactType) {
        List<Descriptor> result = new ArrayList<>();
        for (String algorithmDir : store.list(Layout.referrersDir(name, subject))) {
            for (String linkDir : store.list(algorithmDir)) {
                Optional<Digest> referrer = store.readLink(linkDir + "/" + Layout.LINK);
                if (referrer.isEmpty() || !StoragePaths.name(linkDir).equals(referrer.get().hex())) {
                    continue;
                }
                manifests.resolve(Reference.of(referrer.get()))
                        .flatMap(manifests::read)
                        .flatMap(LocalManifests::parseQuietly)
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
