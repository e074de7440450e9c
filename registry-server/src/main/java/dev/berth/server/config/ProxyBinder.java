package dev.berth.server.config;

import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.proxy.Upstream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code proxy}: the pull-through upstreams. */
final class ProxyBinder {
    private ProxyBinder() {
    }

    /**
     * {@code proxy}: distribution's single upstream ({@code remoteurl}, {@code username}, {@code password},
     * {@code ttl}) for every repository, and Berth's {@code upstreams}, each for the repositories under its
     * {@code prefix}. Every value is read by the typed getters, so a map or a list given for one of them is an error
     * naming the key. Without {@code remoteurl}, the single upstream's other keys are reported as unknown.
     */
    static List<Upstream> bind(Section s) {
        List<Upstream> out = new ArrayList<>();
        if (s.names().contains("remoteurl")) { // present, even empty: a proxy was meant
            out.add(upstream(s, ""));
        }
        List<Section> items = s.sections("upstreams");
        for (Section item : items) {
            item.warnUnknown(UPSTREAM_KEYS);
            String prefix = item.string("prefix").orElse("");
            if (prefix.isBlank()) {
                throw new ConfigException(item.key("prefix"), "is required: the repositories under it come from "
                        + "this upstream (e.g. docker.io)");
            }
            String trimmed = prefix.replaceAll("/+$", "").replaceAll("/\\*+$", "");
            if (!RepositoryName.isValid(trimmed)) {
                throw new ConfigException(item.key("prefix"), "'" + prefix + "' is not a repository name prefix");
            }
            out.add(upstream(item, trimmed));
        }
        Set<String> prefixes = new HashSet<>();
        for (var u : out) {
            if (!prefixes.add(u.prefix())) {
                throw new ConfigException(s.key("upstreams"), "two upstreams for the prefix '" + u.prefix() + "'");
            }
        }
        return out;
    }

    /** The keys of one {@code proxy.upstreams[i]}. */
    private static final Set<String> UPSTREAM_KEYS = Set.of("prefix", "remoteurl", "username", "password", "ttl");

    /** One upstream: {@code remoteurl}, {@code username} and {@code password} together, {@code ttl}. */
    private static Upstream upstream(Section s, String prefix) {
        String u = s.string("remoteurl").orElse("");
        if (u.isBlank()) {
            throw new ConfigException(s.key("remoteurl"), "is required: the upstream registry's URL, e.g. "
                    + "https://registry-1.docker.io");
        }
        URI uri;
        try {
            uri = new URI(u.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(s.key("remoteurl"), "'" + Urls.redact(u) + "' is not a URL");
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new ConfigException(s.key("remoteurl"), "must be an http or https URL, not '" + Urls.redact(u)
                    + "'");
        }
        Optional<String> user = s.string("username");
        Optional<String> password = s.string("password");
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigException(s.key(user.isEmpty() ? "username" : "password"),
                    "username and password go together");
        }
        Duration ttl = s.duration("ttl", Duration.ofHours(168));
        return new Upstream(prefix, uri, user, password, ttl);
    }
}
