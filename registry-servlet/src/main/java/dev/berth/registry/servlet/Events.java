package dev.berth.registry.servlet;

import dev.berth.registry.Manifests;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.events.RegistryEvent.Action;
import dev.berth.registry.events.RegistryEvent.Target;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what a request did to {@link ServletOptions#events()}, as distribution's notifications do: called by the
 * endpoints once the action succeeded. With {@link EventListener#NONE} every method returns at once and builds
 * nothing.
 */
final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);
    /** Where a request keeps its id, so that all its events share one. */
    static final String REQUEST_ID_ATTRIBUTE = "dev.berth.requestId";

    private Events() {
    }

    /** A manifest put: one event per tag it was put under (none: one event without tag). */
    static void manifestPushed(Exchange x, Repository repo, Reference reference, List<Tag> moreTags,
            Manifests.PutResult put) {
        EventListener listener = x.options.events();
        if (listener == EventListener.NONE) {
            return;
        }
        Manifest m = put.manifest();
        Target target = manifestTarget(x, repo, m.mediaType(), m.size(), put.digest());
        if (listener.includeReferences()) {
            target = target.withReferences(m.references());
        }
        Set<String> tags = new LinkedHashSet<>();
        reference.asTag().ifPresent(t -> tags.add(t.value()));
        moreTags.forEach(t -> tags.add(t.value()));
        if (tags.isEmpty()) {
            emit(x, listener, Action.PUSH, target);
        }
        for (String tag : tags) {
            emit(x, listener, Action.PUSH, target.withTag(tag));
        }
    }

    /** A manifest served by GET (HEAD is not a pull). */
    static void manifestPulled(Exchange x, Repository repo, Reference reference, StoredManifest m) {
        EventListener listener = x.options.events();
        if (listener == EventListener.NONE || x.isHead()) {
            return;
        }
        Target target = manifestTarget(x, repo, m.mediaType(), m.size(), m.digest());
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
        emit(x, listener, Action.PULL, target);
    }

    /** A manifest deleted by digest, or a tag deleted. */
    static void deleted(Exchange x, Repository repo, Reference reference) {
        EventListener listener = x.options.events();
        if (listener == EventListener.NONE) {
            return;
        }
        String name = repo.name().value();
        emit(x, listener, Action.DELETE, reference instanceof Reference.ByTag byTag
                ? Target.deletedTag(name, byTag.tag().value())
                : Target.deleted(name, reference.asDigest().orElseThrow()));
    }

    /** A blob upload completed (in one request or as the last of several). */
    static void blobPushed(Exchange x, Repository repo, Descriptor blob) {
        EventListener listener = x.options.events();
        if (listener != EventListener.NONE) {
            emit(x, listener, Action.PUSH, blobTarget(x, repo, blob));
        }
    }

    /** A blob served (or redirected to) by GET; HEAD is not a pull. */
    static void blobPulled(Exchange x, Repository repo, Descriptor blob) {
        EventListener listener = x.options.events();
        if (listener != EventListener.NONE && !x.isHead()) {
            emit(x, listener, Action.PULL, blobTarget(x, repo, blob));
        }
    }

    /** A blob mounted from another repository. */
    static void blobMounted(Exchange x, Repository repo, Descriptor blob, RepositoryName from) {
        EventListener listener = x.options.events();
        if (listener != EventListener.NONE) {
            emit(x, listener, Action.MOUNT, blobTarget(x, repo, blob).withFromRepository(from.value()));
        }
    }

    /** A blob unlinked from a repository. */
    static void blobDeleted(Exchange x, Repository repo, Digest digest) {
        EventListener listener = x.options.events();
        if (listener != EventListener.NONE) {
            emit(x, listener, Action.DELETE, Target.deleted(repo.name().value(), digest));
        }
    }

    /** A whole repository deleted (Berth's admin endpoint): distribution's repository delete, a target of a name. */
    static void repositoryDeleted(Exchange x, RepositoryName name) {
        EventListener listener = x.options.events();
        if (listener != EventListener.NONE) {
            emit(x, listener, Action.DELETE, new Target(null, -1, null, name.value(), null, null, null, List.of()));
        }
    }

    private static Target manifestTarget(Exchange x, Repository repo, String mediaType, long size, Digest digest) {
        return Target.content(mediaType, size, digest, repo.name().value(),
                x.url("/v2/" + repo.name() + "/manifests/" + digest));
    }

    private static Target blobTarget(Exchange x, Repository repo, Descriptor blob) {
        return Target.content(blob.mediaType(), blob.size(), blob.digest(), repo.name().value(),
                x.url("/v2/" + repo.name() + "/blobs/" + blob.digest()));
    }

    private static void emit(Exchange x, EventListener listener, Action action, Target target) {
        try {
            Object user = x.request.getAttribute(RegistryServlet.USER_ATTRIBUTE);
            listener.onEvent(RegistryEvent.of(action, target, request(x),
                    user == null ? RegistryEvent.Actor.ANONYMOUS : new RegistryEvent.Actor(user.toString())));
        } catch (RuntimeException e) {
            // The action is done and answered: a listener's failure must not turn it into an error.
            LOG.warn("event listener {} failed on a {} event: {}", listener, action.wireName(), e.toString());
        }
    }

    private static RegistryEvent.Request request(Exchange x) {
        Object id = x.request.getAttribute(REQUEST_ID_ATTRIBUTE);
        if (id == null) {
            id = UUID.randomUUID().toString();
            x.request.setAttribute(REQUEST_ID_ATTRIBUTE, id);
        }
        String host = x.request.getHeader("Host");
        return new RegistryEvent.Request(id.toString(), clientAddress(x), host != null ? host
                : x.request.getServerName() + ":" + x.request.getServerPort(), x.request.getMethod(),
                x.request.getHeader("User-Agent"));
    }

    /** As distribution: the first X-Forwarded-For entry, else X-Real-IP, else the connection's peer. */
    static String clientAddress(Exchange x) {
        String forwarded = x.request.getHeader("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            int comma = forwarded.indexOf(',');
            String first = (comma >= 0 ? forwarded.substring(0, comma) : forwarded).trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        String realIp = x.request.getHeader("X-Real-IP");
        if (realIp != null && !realIp.isBlank()) {
            return realIp.trim();
        }
        String remote = x.request.getRemoteAddr();
        return remote.indexOf(':') >= 0 ? "[" + remote + "]:" + x.request.getRemotePort()
                : remote + ":" + x.request.getRemotePort();
    }
}
