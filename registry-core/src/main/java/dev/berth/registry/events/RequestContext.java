package dev.berth.registry.events;

import java.util.Objects;
import java.util.UUID;

/**
 * On whose behalf the registry acts: what its {@link RegistryEvent}s say of the request behind them. A server builds
 * one per request from the request's headers and the caller it authenticated, and passes it in explicitly
 * ({@code registry.repository(name, context)}): a request may be completed on other threads than the one it came
 * on, so the context is never taken from the thread. Work no request asked for (a call of an embedder, retention,
 * garbage collection) runs in a {@link #local()} context. Immutable.
 *
 * @param request what is known of the request; every event of one context has its id
 * @param actor   who made it
 * @param baseUrl the URL the registry's API is reached at by this request (e.g. {@code https://registry.example.com},
 *                with a context path if any, without a trailing slash), which events' content URLs start with; null
 *                when there is none (then events carry no URL)
 */
public record RequestContext(RegistryEvent.Request request, RegistryEvent.Actor actor, String baseUrl) {

    public RequestContext {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(actor, "actor");
    }

    /**
     * A context of its own for work that no HTTP request asked for: a fresh request id, no address, host, method or
     * user agent, an anonymous actor and no base URL.
     */
    public static RequestContext local() {
        return new RequestContext(new RegistryEvent.Request(UUID.randomUUID().toString(), "", "", "", ""),
                RegistryEvent.Actor.ANONYMOUS, null);
    }

    /** The absolute URL of {@code path} (which starts with {@code /v2/}), or null without a base URL. */
    public String url(String path) {
        return baseUrl == null ? null : baseUrl + path;
    }
}
