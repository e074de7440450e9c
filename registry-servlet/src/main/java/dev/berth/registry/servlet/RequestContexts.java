package dev.berth.registry.servlet;

import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.spi.auth.Principal;
import java.util.Optional;
import java.util.UUID;

/**
 * What the core's events say of a request ({@link RequestContext}): its id, the client's address, host, method and
 * user agent, the caller the access guard authenticated, and the URL the client reached the registry at. The core
 * raises the events; the servlet only says on whose behalf it acts.
 */
final class RequestContexts {

    private RequestContexts() {
    }

    /** The context of {@code x}'s request, made by {@code caller} (empty or anonymous: nobody known). */
    static RequestContext of(Exchange x, Optional<Principal> caller) {
        String host = x.request.getHeader("Host");
        RegistryEvent.Request request = new RegistryEvent.Request(UUID.randomUUID().toString(), clientAddress(x),
                host != null ? host : x.request.getServerName() + ":" + x.request.getServerPort(),
                x.request.getMethod(), x.request.getHeader("User-Agent"));
        RegistryEvent.Actor actor = caller.filter(p -> !p.anonymous()).map(p -> new RegistryEvent.Actor(p.name()))
                .orElse(RegistryEvent.Actor.ANONYMOUS);
        return new RequestContext(request, actor, x.url(""));
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
