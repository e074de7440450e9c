package dev.berth.registry.internal.proxy;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.repository.LocalManifests;
import dev.berth.registry.internal.repository.LocalRepository;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.StoredManifest;
import java.io.IOException;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifests of a pull-through repository: one not in storage is fetched from the upstream and stored as it is
 * served; a tag is asked for again once older than the upstream's ttl, and served from storage, stale, when the
 * upstream cannot be reached. Content by digest never changes and is never asked for again.
 */
record PullThroughManifests(LocalRepository local, PullThrough.Target target, Supplier<RegistryException> refusal)
        implements Manifests {
    private static final Logger LOG = LoggerFactory.getLogger("dev.berth.registry.proxy");

    @Override
    public PutResult put(Reference reference, String contentType, byte[] bytes, Collection<Tag> moreTags) {
        throw refusal.get();
    }

    @Override
    public Optional<Digest> resolve(Reference reference) {
        return local.manifests().resolve(reference);
    }

    @Override
    public Optional<StoredManifest> get(Reference reference) {
        Optional<StoredManifest> here = local.manifests().get(reference);
        Optional<Tag> tag = reference.asTag();
        if (here.isPresent() && (tag.isEmpty() || fresh(tag.get()))) {
            return here;
        }
        Optional<UpstreamClient.Fetched> fetched;
        try {
            fetched = target.owner().manifest(target, reference.toString());
        } catch (IOException | RuntimeException e) {
            if (here.isPresent()) {
                LOG.warn("upstream {} failed ({}); serving {}:{} as cached",
                        target.upstream().redactedUrl(), Failures.describe(e), local.name(), reference);
                return here;
            }
            throw new RegistryException(ErrorCode.UNAVAILABLE, "manifest " + reference + " is not cached and the "
                    + "upstream " + target.upstream().redactedUrl() + " failed: " + Failures.describe(e), e);
        }
        if (fetched.isEmpty()) {
            return Optional.empty();
        }
        UpstreamClient.Fetched f = fetched.get();
        String mediaType = f.mediaType() != null ? f.mediaType() : LocalManifests.mediaTypeOf(f.bytes());
        if (!local.store().readOnly()) {
            local.manifests().storeFetched(f.digest(), f.bytes(), mediaType, tag);
        }
        return Optional.of(new StoredManifest(f.digest(), mediaType, f.bytes()));
    }

    /** Whether a tag was fetched from the upstream within its ttl. */
    private boolean fresh(Tag tag) {
        return local.tags().written(tag)
                .map(written -> written.plus(target.upstream().ttl()).isAfter(local.store().clock().instant()))
                .orElse(false);
    }

    @Override
    public Optional<Descriptor> stat(Reference reference) {
        return get(reference).map(LocalManifests::descriptor);
    }

    @Override
    public void delete(Digest digest) {
        local.manifests().delete(digest);
    }
}
