package dev.berth.spring.boot.autoconfigure;

import dev.berth.notifications.EndpointConfig;
import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.proxy.Upstream;
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

/**
 * The typed sections of {@link BerthProperties} checked and turned into Berth's own objects, as the server's
 * configuration binders do it for {@code config.yml}, each mistake named as the application spells the property.
 */
final class Sections {
    private Sections() {
    }

    /**
     * {@code berth.proxy}: the single upstream when {@code remoteurl} is set, then one per {@code upstreams[i]}; two
     * upstreams for one prefix are refused.
     */
    static List<Upstream> upstreams(BerthProperties.Proxy proxy) {
        List<Upstream> out = new ArrayList<>();
        if (proxy.getRemoteurl() != null) {
            out.add(upstream(proxy, "", "berth.proxy."));
        } else if (proxy.getUsername() != null || proxy.getPassword() != null) {
            throw new BerthConfigurationException("berth.proxy.remoteurl", "is required with berth.proxy."
                    + (proxy.getUsername() != null ? "username" : "password"));
        }
        List<BerthProperties.PrefixedUpstream> items = proxy.getUpstreams();
        for (int i = 0; i < items.size(); i++) {
            BerthProperties.PrefixedUpstream item = items.get(i);
            String key = "berth.proxy.upstreams[" + i + "].";
            String prefix = item.getPrefix() == null ? "" : item.getPrefix().trim();
            if (prefix.isEmpty()) {
                throw new BerthConfigurationException(key + "prefix", "is required: the repositories under it come"
                        + " from this upstream (e.g. docker.io)");
            }
            String trimmed = prefix.replaceAll("/+$", "").replaceAll("/\\*+$", "");
            if (!RepositoryName.isValid(trimmed)) {
                throw new BerthConfigurationException(key + "prefix", "'" + prefix
                        + "' is not a repository name prefix");
            }
            out.add(upstream(item, trimmed, key));
        }
        Set<String> prefixes = new HashSet<>();
        for (Upstream u : out) {
            if (!prefixes.add(u.prefix())) {
                throw new BerthConfigurationException("berth.proxy.upstreams", "two upstreams for the prefix '"
                        + u.prefix() + "'");
            }
        }
        return out;
    }

    private static Upstream upstream(BerthProperties.UpstreamSettings s, String prefix, String key) {
        String u = s.getRemoteurl() == null ? "" : s.getRemoteurl().trim();
        if (u.isEmpty()) {
            throw new BerthConfigurationException(key + "remoteurl", "is required: the upstream registry's URL,"
                    + " e.g. https://registry-1.docker.io");
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new BerthConfigurationException(key + "remoteurl", "'" + Urls.redact(u) + "' is not a URL");
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new BerthConfigurationException(key + "remoteurl", "must be an http or https URL, not '"
                    + Urls.redact(u) + "'");
        }
        Optional<String> user = Optional.ofNullable(s.getUsername());
        Optional<String> password = Optional.ofNullable(s.getPassword());
        if (user.isPresent() != password.isPresent()) {
            throw new BerthConfigurationException(key + (user.isEmpty() ? "username" : "password"),
                    "username and password go together");
        }
        Duration ttl = s.getTtl() == null ? Duration.ofHours(168) : s.getTtl();
        if (ttl.isNegative()) {
            throw new BerthConfigurationException(key + "ttl", "must not be negative, not " + ttl);
        }
        return new Upstream(prefix, uri, user, password, ttl);
    }

    /**
     * {@code berth.notifications.endpoints}: each endpoint checked as the server checks {@code notifications}; a
     * disabled endpoint without a URL is left out, as distribution skips it.
     */
    static List<EndpointConfig> endpoints(BerthProperties.Notifications notifications) {
        List<EndpointConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<BerthProperties.NotificationEndpoint> items = notifications.getEndpoints();
        for (int i = 0; i < items.size(); i++) {
            BerthProperties.NotificationEndpoint e = items.get(i);
            String key = "berth.notifications.endpoints[" + i + "].";
            String name = e.getName() == null || e.getName().isBlank() ? "endpoint-" + i : e.getName().trim();
            if (!names.add(name)) {
                throw new BerthConfigurationException(key + "name", "'" + name + "' names another endpoint too;"
                        + " names must be unique");
            }
            String url = e.getUrl() == null ? "" : e.getUrl().trim();
            if (url.isEmpty()) {
                if (e.isDisabled()) {
                    continue;
                }
                throw new BerthConfigurationException(key + "url", "missing; where should events for endpoint '"
                        + name + "' be posted?");
            }
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException x) {
                throw new BerthConfigurationException(key + "url", "'" + Urls.redact(url) + "' is not a URL: "
                        + x.getReason());
            }
            Set<String> mediaTypes = new LinkedHashSet<>(e.getIgnoredmediatypes());
            mediaTypes.addAll(e.getIgnore().getMediatypes());
            Set<RegistryEvent.Action> actions = new LinkedHashSet<>();
            for (String a : e.getIgnore().getActions()) {
                actions.add(RegistryEvent.Action.parse(a.trim()).orElseThrow(() -> new BerthConfigurationException(
                        key + "ignore.actions", "'" + a + "' is not an action; use push, pull, delete or mount")));
            }
            Map<String, List<String>> headers = new LinkedHashMap<>(e.getHeaders());
            if (e.getThreshold() < 0) {
                throw new BerthConfigurationException(key + "threshold", "must be at least 0, not "
                        + e.getThreshold());
            }
            // As in distribution, a zero (or negative) timeout or backoff and a zero threshold take the defaults.
            try {
                out.add(new EndpointConfig(name, uri, headers,
                        positiveOrDefault(e.getTimeout(), EndpointConfig.DEFAULT_TIMEOUT),
                        e.getThreshold() == 0 ? EndpointConfig.DEFAULT_THRESHOLD : e.getThreshold(),
                        positiveOrDefault(e.getBackoff(), EndpointConfig.DEFAULT_BACKOFF),
                        mediaTypes, actions, e.getQueuesize(), e.isDisabled()));
            } catch (IllegalArgumentException | NullPointerException x) {
                // EndpointConfig's messages start with the key they are about ("timeout: must be longer than 0").
                String message = String.valueOf(x.getMessage());
                int colon = message.indexOf(": ");
                throw colon > 0 ? new BerthConfigurationException(key + message.substring(0, colon),
                        message.substring(colon + 2), x)
                        : new BerthConfigurationException(key + message, "is required", x);
            }
        }
        return out;
    }

    private static Duration positiveOrDefault(Duration d, Duration fallback) {
        return d == null || d.isZero() || d.isNegative() ? fallback : d;
    }
}
