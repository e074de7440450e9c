package dev.berth.registry.repository;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import java.util.List;

/**
 * The referrers API of one repository: the manifests whose {@code subject} is a given digest (signatures, SBOMs,
 * attestations). Answered from an index kept on manifest put and delete, checked against the manifests themselves,
 * so an entry whose manifest was removed by other means is not shown. Thread-safe.
 */
public interface Referrers {

    /**
     * Descriptors of the manifests that refer to {@code subject}, optionally only those of one artifact type, sorted
     * by digest. Empty (never an error) when there are none, whether or not the subject exists.
     */
    List<Descriptor> list(Digest subject, String artifactType);
}
