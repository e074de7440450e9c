package dev.berth.notifications;

import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.events.RegistryEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One webhook endpoint, as distribution's {@code notifications.endpoints[]} describes it, plus Berth's queue bound.
 * Validated; header values are never part of {@link #toString()} (they often hold tokens).
 *
 * @param name              names the endpoint in logs and statistics
 * @param url               where envelopes are POSTed (http or https)
 * @param headers           sent with every POST
 * @param timeout           for connecting and for the response to arrive (distribution's default 1s)
 * @param threshold         consecutive failures after which every further attempt waits {@code backoff} (default 10)
 * @param backoff           the wait between attempts once {@code threshold} is reached (default 1s)
 * @param ignoredMediaTypes events whose target has one of these media types are not sent ({@code ignoredmediatypes}
 *                          and {@code ignore.mediatypes} together)
 * @param ignoredActions    events with one of these actions are not sent ({@code ignore.actions})
 * @param queueSize         the most events waiting for delivery; past it the oldest are dropped (Berth's
 *                          {@code queuesize}, default 10000)
 * @param disabled          configured but not started
 */
public record EndpointConfig(String name, URI url, Map<String, List<String>> headers, Duration timeout,
        int threshold, Duration backoff, Set<String> ignoredMediaTypes, Set<RegistryEvent.Action> ignoredActions,
        int queueSize, boolean disabled) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_THRESHOLD = 10;
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final int DEFAULT_QUEUE_SIZE = 10_000;

    /** Headers java.net.http sets itself and refuses from callers. */
    static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    public EndpointConfig {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: must not be empty");
        }
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("url: must be an absolute http or https URL, not '" + Urls.redact(url)
                    + "'");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (!h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("headers." + h.getKey() + ": is not a valid HTTP header name");
            }
            if (RESTRICTED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("headers." + h.getKey() + ": is set by the HTTP client and cannot"
                        + " be configured");
            }
            for (String v : h.getValue()) {
                if (v == null || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("headers." + h.getKey() + ": a value must be one line of text");
                }
            }
            copy.put(h.getKey(), List.copyOf(new ArrayList<>(h.getValue())));
        }
        headers = Collections.unmodifiableMap(copy);
        requirePositive("timeout", timeout);
        requirePositive("backoff", backoff);
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold: must be at least 1, not " + threshold);
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("queuesize: must be at least 1, not " + queueSize);
        }
        ignoredMediaTypes = Set.copyOf(ignoredMediaTypes);
        ignoredActions = ignoredActions.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(ignoredActions));
    }

    /** An endpoint with distribution's defaults: no headers, timeout 1s, threshold 10, backoff 1s, nothing ignored. */
    public static EndpointConfig of(String name, URI url) {
        return new EndpointConfig(name, url, Map.of(), DEFAULT_TIMEOUT, DEFAULT_THRESHOLD, DEFAULT_BACKOFF, Set.of(),
                Set.of(), DEFAULT_QUEUE_SIZE, false);
    }

    /** This endpoint sending {@code h} with every POST. */
    public EndpointConfig withHeaders(Map<String, List<String>> h) {
        return new EndpointConfig(name, url, h, timeout, threshold, backoff, ignoredMediaTypes, ignoredActions,
                queueSize, disabled);
    }

    /** This endpoint with another timeout, threshold and backoff. */
    public EndpointConfig withRetries(Duration t, int th, Duration b) {
        return new EndpointConfig(name, url, headers, t, th, b, ignoredMediaTypes, ignoredActions, queueSize,
                disabled);
    }

    /** This endpoint ignoring events with these target media types or actions. */
    public EndpointConfig withIgnored(Set<String> mediaTypes, Set<RegistryEvent.Action> actions) {
        return new EndpointConfig(name, url, headers, timeout, threshold, backoff, mediaTypes, actions, queueSize,
                disabled);
    }

    /** This endpoint with another queue bound. */
    public EndpointConfig withQueueSize(int size) {
        return new EndpointConfig(name, url, headers, timeout, threshold, backoff, ignoredMediaTypes, ignoredActions,
                size, disabled);
    }

    /** Whether events like this one are not sent to this endpoint. */
    public boolean ignores(RegistryEvent event) {
        return ignoredActions.contains(event.action())
                || event.target().mediaType() != null && ignoredMediaTypes.contains(event.target().mediaType());
    }

    /** The URL as it may be printed: its password and query values masked ({@link Urls#redact(URI)}). */
    public String redactedUrl() {
        return Urls.redact(url);
    }

    private static void requirePositive(String key, Duration d) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": must be longer than 0, not " + d);
        }
    }

    @Override
    public String toString() {
        return "EndpointConfig[name=" + name + ", url=" + redactedUrl() + ", headers=" + headers.keySet()
                + " (values not shown), timeout=" + timeout + ", threshold=" + threshold + ", backoff=" + backoff
                + ", ignoredMediaTypes=" + ignoredMediaTypes + ", ignoredActions=" + ignoredActions + ", queueSize="
                + queueSize + ", disabled=" + disabled + "]";
    }
}
