package dev.berth.registry.servlet;

import dev.berth.registry.events.EventListener;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link RegistryServlet} writes URLs and which extra headers it sends (distribution's {@code http.host},
 * {@code http.relativeurls}, {@code http.headers}, {@code catalog.maxentries}).
 *
 * @param externalUrl      the URL clients reach the server at (e.g. {@code https://registry.example.com}; the
 *                         context path is added to it); when
 *                         empty, Location headers follow the request and its {@code X-Forwarded-*} headers
 * @param relativeUrls     Location headers without scheme and host
 * @param headers          sent with every response
 * @param catalogMaxEntries the most repositories one catalog page holds
 * @param redirects        blob GETs answer 307 to the storage's own URL (an S3 presigned GET) when the driver offers
 *                         one, as distribution does unless {@code storage.redirect.disable} is set; HEAD is always
 *                         answered by the registry
 * @param events           told of every push, pull, mount and delete that succeeded (distribution's notifications);
 *                         {@link EventListener#NONE} by default, and then no event is built
 */
public record ServletOptions(Optional<String> externalUrl, boolean relativeUrls, Map<String, List<String>> headers,
        int catalogMaxEntries, boolean redirects, EventListener events) {

    public static final ServletOptions DEFAULTS = new ServletOptions(Optional.empty(), false, Map.of(), 1000);

    /** How long a redirect URL stays valid (distribution's s3 driver gives 20 minutes). */
    public static final java.time.Duration REDIRECT_VALIDITY = java.time.Duration.ofMinutes(20);

    /** Options with redirects on, the default. */
    public ServletOptions(Optional<String> externalUrl, boolean relativeUrls, Map<String, List<String>> headers,
            int catalogMaxEntries) {
        this(externalUrl, relativeUrls, headers, catalogMaxEntries, true);
    }

    /** Options without event listener. */
    public ServletOptions(Optional<String> externalUrl, boolean relativeUrls, Map<String, List<String>> headers,
            int catalogMaxEntries, boolean redirects) {
        this(externalUrl, relativeUrls, headers, catalogMaxEntries, redirects, EventListener.NONE);
    }

    /** These options with blob redirects on or off. */
    public ServletOptions withRedirects(boolean on) {
        return new ServletOptions(externalUrl, relativeUrls, headers, catalogMaxEntries, on, events);
    }

    /** These options reporting events to {@code listener} ({@link EventListener#NONE}: none). */
    public ServletOptions withEvents(EventListener listener) {
        return new ServletOptions(externalUrl, relativeUrls, headers, catalogMaxEntries, redirects, listener);
    }

    public ServletOptions {
        Objects.requireNonNull(externalUrl, "externalUrl");
        Objects.requireNonNull(events, "events");
        externalUrl = externalUrl.map(u -> u.replaceAll("/+$", ""));
        headers = Map.copyOf(headers);
        if (catalogMaxEntries < 1) {
            throw new IllegalArgumentException("catalogMaxEntries must be at least 1");
        }
    }
}
