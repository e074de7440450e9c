package dev.berth.registry.internal.events;

import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent.Action;
import dev.berth.registry.events.RegistryEvent.Target;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.StoredManifest;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the events of one {@link RequestContext} as distribution's notifications describe them and hands them to
 * the listener; a listener that throws is logged, never allowed to fail the action, which is done. Thread-safe.
 */
public final class EventEmitter {
    private static final Logger LOG = LoggerFactory.getLogger(EventEmitter.class);

    private final EventListener listener;
    private final RequestContext context;
    private final boolean reportPulls;

    public EventEmitter(EventListener listener, RequestContext context) {
        this(listener, context, true);
    }

    /** With {@code reportPulls} false, content handed out is not reported: someone looked, nobody pulled. */
    public EventEmitter(EventListener listener, RequestContext context, boolean reportPulls) {
        this.listener = listener;
        this.context = context;
        this.reportPulls = reportPulls;
    }

    /** A manifest put: one event per tag it was put under (none: one event without tag). */
    void manifestPushed(RepositoryName repository, Reference reference, Collection<Tag> moreTags,
            Manifests.PutResult put) {
        Manifest m = put.manifest();
        Target target = manifestTarget(repository, m.mediaType(), m.size(), put.digest());
        if (listener.includeReferences()) {
            target = target.withReferences(m.references());
        }
        Set<String> tags = new LinkedHashSet<>();
        reference.asTag().ifPresent(t -> tags.add(t.value()));
        moreTags.forEach(t -> tags.add(t.value()));
        if (tags.isEmpty()) {
            emit(Action.PUSH, target);
        }
        for (String tag : tags) {
            emit(Action.PUSH, target.withTag(tag));
        }
    }

    /** A manifest served, by tag or digest. */
    void manifestPulled(RepositoryName repository, Reference reference, StoredManifest m) {
        if (!reportPulls) {
            return;
        }
        Target target = manifestTarget(repository, m.mediaType(), m.size(), m.digest());
        if (reference instanceof Reference.ByTag byTag) {
            target = target.withTag(byTag.tag().value());
        }
        if (listener.includeReferences()) {
            try {
                target = target.withReferences(Manifest.parse(m.bytes(), m.mediaType()).references());
            } catch (RuntimeException notOurs) {
                // a manifest another registry wrote that Berth does not parse: served, reported without references
            }
        }
        emit(Action.PULL, target);
    }

    /** A manifest deleted from a repository (by a client, or by garbage collection). */
    public void manifestDeleted(RepositoryName repository, Digest digest) {
        emit(Action.DELETE, Target.deleted(repository.value(), digest));
    }

    /** A tag deleted (by a client, or by retention). */
    void tagDeleted(RepositoryName repository, Tag tag) {
        emit(Action.DELETE, Target.deletedTag(repository.value(), tag.value()));
    }

    /** A blob upload committed. */
    void blobPushed(RepositoryName repository, Descriptor blob) {
        emit(Action.PUSH, blobTarget(repository, blob.digest(), blob.size()));
    }

    /** A blob's content handed out (opened, or a URL to it given); its size is -1 when not known. */
    void blobPulled(RepositoryName repository, Digest digest, long size) {
        if (!reportPulls) {
            return;
        }
        emit(Action.PULL, blobTarget(repository, digest, size));
    }

    /** A blob mounted from another repository. */
    void blobMounted(RepositoryName repository, Descriptor blob, RepositoryName from) {
        emit(Action.MOUNT, blobTarget(repository, blob.digest(), blob.size()).withFromRepository(from.value()));
    }

    /** A blob unlinked from a repository. */
    void blobDeleted(RepositoryName repository, Digest digest) {
        emit(Action.DELETE, Target.deleted(repository.value(), digest));
    }

    /** A whole repository deleted: distribution's repository delete, a target of a name alone. */
    public void repositoryDeleted(RepositoryName repository) {
        emit(Action.DELETE, new Target(null, -1, null, repository.value(), null, null, null, List.of()));
    }

    private Target manifestTarget(RepositoryName repository, String mediaType, long size, Digest digest) {
        return Target.content(mediaType, size, digest, repository.value(),
                context.url("/v2/" + repository + "/manifests/" + digest));
    }

    /** A blob's bytes are all of one media type to the registry, whatever a manifest calls them. */
    private Target blobTarget(RepositoryName repository, Digest digest, long size) {
        return Target.content(MediaTypes.OCTET_STREAM, size, digest, repository.value(),
                context.url("/v2/" + repository + "/blobs/" + digest));
    }

    private void emit(Action action, Target target) {
        try {
            listener.onEvent(RegistryEvent.of(action, target, context.request(), context.actor()));
        } catch (RuntimeException e) {
            // The action is done (and may be answered): a listener's failure must not turn it into an error.
            LOG.warn("event listener {} failed on a {} event: {}", listener, action.wireName(), e.toString());
        }
    }
}
