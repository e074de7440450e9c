package dev.berth.server.config;

import dev.berth.notifications.EndpointConfig;
import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.events.RegistryEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code notifications}: the webhook endpoints events are posted to. */
final class NotificationsBinder {
    private NotificationsBinder() {
    }

    /**
     * {@code notifications}: distribution's {@code endpoints} list (name, disabled, url, headers, timeout, threshold,
     * backoff, ignoredmediatypes, ignore.mediatypes, ignore.actions; zero timeout, threshold or backoff take
     * distribution's defaults), Berth's {@code queuesize} per endpoint, and {@code events.includereferences}.
     */
    static ServerConfig.Notifications bind(Section s) {
        boolean includeReferences = s.section("events").bool("includereferences", false);
        List<EndpointConfig> endpoints = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Section> items = s.sections("endpoints");
        for (int i = 0; i < items.size(); i++) {
            Section e = items.get(i);
            e.warnUnknown(ENDPOINT_KEYS);
            e.section("ignore").warnUnknown(Set.of("mediatypes", "actions"));
            String name = e.string("name").map(String::trim).filter(n -> !n.isEmpty()).orElse("endpoint-" + i);
            if (!names.add(name)) {
                throw new ConfigException(e.key("name"), "'" + name + "' names another endpoint too; names must be"
                        + " unique");
            }
            boolean disabled = e.bool("disabled", false);
            Optional<String> url = e.string("url").map(String::trim).filter(u -> !u.isEmpty());
            if (url.isEmpty()) {
                if (disabled) {
                    e.readAll("headers");
                    e.readAll("ignore");
                    for (String k : List.of("timeout", "threshold", "backoff", "ignoredmediatypes", "queuesize")) {
                        e.readAll(k);
                    }
                    continue; // distribution skips a disabled endpoint before looking at it
                }
                throw new ConfigException(e.key("url"), "missing; where should events for endpoint '" + name
                        + "' be posted?");
            }
            URI uri;
            try {
                uri = new URI(url.get());
            } catch (URISyntaxException x) {
                throw new ConfigException(e.key("url"), "'" + Urls.redact(url.get()) + "' is not a URL: "
                        + x.getReason());
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            Section h = e.section("headers");
            for (String header : h.names()) {
                headers.put(header, h.strings(header));
            }
            Duration timeout = positiveOrDefault(e.duration("timeout", Duration.ZERO), EndpointConfig.DEFAULT_TIMEOUT);
            int threshold = e.integer("threshold", 0, 0, 1_000_000);
            Duration backoff = positiveOrDefault(e.duration("backoff", Duration.ZERO), EndpointConfig.DEFAULT_BACKOFF);
            Set<String> mediaTypes = new LinkedHashSet<>(e.strings("ignoredmediatypes"));
            Section ignore = e.section("ignore");
            mediaTypes.addAll(ignore.strings("mediatypes"));
            Set<RegistryEvent.Action> actions = new LinkedHashSet<>();
            for (String a : ignore.strings("actions")) {
                actions.add(RegistryEvent.Action.parse(a).orElseThrow(() -> new ConfigException(ignore.key("actions"),
                        "'" + a + "' is not an action; use push, pull, delete or mount")));
            }
            int queueSize = e.integer("queuesize", EndpointConfig.DEFAULT_QUEUE_SIZE, 1, 10_000_000);
            try {
                endpoints.add(new EndpointConfig(name, uri, headers, timeout,
                        threshold == 0 ? EndpointConfig.DEFAULT_THRESHOLD : threshold, backoff, mediaTypes, actions,
                        queueSize, disabled));
            } catch (IllegalArgumentException x) {
                // EndpointConfig's messages start with the key they are about.
                String message = x.getMessage();
                int colon = message.indexOf(": ");
                throw colon > 0 ? new ConfigException(e.key(message.substring(0, colon)), message.substring(colon + 2))
                        : new ConfigException(e.path(), message);
            }
        }
        return new ServerConfig.Notifications(endpoints, includeReferences);
    }

    /** The keys of one {@code notifications.endpoints[i]}. */
    private static final Set<String> ENDPOINT_KEYS = Set.of("name", "disabled", "url", "headers", "timeout",
            "threshold", "backoff", "ignoredmediatypes", "ignore", "queuesize");

    private static Duration positiveOrDefault(Duration d, Duration fallback) {
        return d.isZero() || d.isNegative() ? fallback : d;
    }
}
