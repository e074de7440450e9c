package dev.berth.registry.events;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Something that happened in the registry, as CNCF distribution's notifications describe it: a manifest or blob
 * pushed, pulled, mounted or deleted, with the request that did it, who made it and which registry instance served
 * it. Immutable. Optional parts of the target are null (digest, media type, tag, URL...) or empty (references), as in
 * distribution's JSON, where they are left out.
 *
 * @param id        unique per event (a random UUID)
 * @param timestamp when the registry finished the action
 * @param action    what was done
 * @param target    what it was done to
 * @param request   the request that did it ({@link RequestContext}; for work no request asked for, only an id)
 * @param actor     who made the request
 * @param source    the registry instance that served it; {@link Source#NONE} until the delivery side stamps it
 */
public record RegistryEvent(String id, Instant timestamp, Action action, Target target, Request request, Actor actor,
        Source source) {

    public RegistryEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(source, "source");
    }

    /** A new event, now, with a fresh id and no source yet. */
    public static RegistryEvent of(Action action, Target target, Request request, Actor actor) {
        return new RegistryEvent(UUID.randomUUID().toString(), Instant.now(), action, target, request, actor,
                Source.NONE);
    }

    /** This event as the given registry instance generated it. */
    public RegistryEvent withSource(Source source) {
        return new RegistryEvent(id, timestamp, action, target, request, actor, source);
    }

    /** The actions distribution reports; {@link #wireName()} is how its JSON spells them. */
    public enum Action {
        PUSH, PULL, DELETE, MOUNT;

        /** {@code push}, {@code pull}, {@code delete}, {@code mount}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The action a wire name stands for (case-insensitive), if any. */
        public static Optional<Action> parse(String wireName) {
            for (Action a : values()) {
                if (a.wireName().equalsIgnoreCase(wireName.trim())) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * What an event is about. For a push or pull, the content's descriptor fields ({@code length} is {@code size},
     * kept for distribution's older listeners); for a delete, the repository and the digest or tag deleted.
     *
     * @param mediaType      the content's media type (a blob's is {@code application/octet-stream}), or null
     * @param size           the content's size in bytes, or -1 when not known (deletes)
     * @param digest         the content's digest, or null (a tag delete)
     * @param repository     the repository acted on
     * @param fromRepository the repository a blob was mounted from (mount only), or null
     * @param url            an absolute URL of the content by digest, or null
     * @param tag            the tag pushed, pulled by or deleted, or null
     * @param references     what a manifest references (config, layers, children), for manifest pushes and pulls
     *                       when the listener {@linkplain EventListener#includeReferences() asks for them}
     */
    public record Target(String mediaType, long size, Digest digest, String repository, String fromRepository,
            String url, String tag, List<Descriptor> references) {
        public Target {
            Objects.requireNonNull(repository, "repository");
            references = references == null ? List.of() : List.copyOf(references);
        }

        /** A blob or manifest pushed, pulled or mounted. */
        public static Target content(String mediaType, long size, Digest digest, String repository, String url) {
            return new Target(mediaType, size, digest, repository, null, url, null, List.of());
        }

        /** A manifest or blob deleted by digest. */
        public static Target deleted(String repository, Digest digest) {
            return new Target(null, -1, digest, repository, null, null, null, List.of());
        }

        /** A tag deleted. */
        public static Target deletedTag(String repository, String tag) {
            return new Target(null, -1, null, repository, null, null, tag, List.of());
        }

        /** This target with a tag (a push under a tag, a pull by one). */
        public Target withTag(String tag) {
            return new Target(mediaType, size, digest, repository, fromRepository, url, tag, references);
        }

        /** This target as mounted from {@code from}. */
        public Target withFromRepository(String from) {
            return new Target(mediaType, size, digest, repository, from, url, tag, references);
        }

        /** This target with the descriptors its manifest references. */
        public Target withReferences(List<Descriptor> refs) {
            return new Target(mediaType, size, digest, repository, fromRepository, url, tag, refs);
        }
    }

    /**
     * The request behind an event, as the server that took it describes it ({@link RequestContext}); work that no
     * HTTP request asked for has only an id, and the other parts empty.
     *
     * @param id        unique per request; every event of one request has the same
     * @param addr      the client's address: the first {@code X-Forwarded-For} entry when a proxy set one, else
     *                  {@code X-Real-IP}, else the connection's {@code ip:port}
     * @param host      the {@code Host} the client asked for
     * @param method    the HTTP method
     * @param userAgent the {@code User-Agent} header, or empty
     */
    public record Request(String id, String addr, String host, String method, String userAgent) {
        public Request {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(method, "method");
            addr = addr == null ? "" : addr;
            host = host == null ? "" : host;
            userAgent = userAgent == null ? "" : userAgent;
        }
    }

    /** Who made the request: the authenticated user's name, or empty for an anonymous caller. */
    public record Actor(String name) {
        public static final Actor ANONYMOUS = new Actor("");

        public Actor {
            name = name == null ? "" : name;
        }
    }

    /**
     * The registry instance that generated an event.
     *
     * @param addr       {@code host:port} of the instance
     * @param instanceId changes with every start of the process (a random UUID)
     */
    public record Source(String addr, String instanceId) {
        public static final Source NONE = new Source("", "");

        public Source {
            addr = addr == null ? "" : addr;
            instanceId = instanceId == null ? "" : instanceId;
        }
    }
}
