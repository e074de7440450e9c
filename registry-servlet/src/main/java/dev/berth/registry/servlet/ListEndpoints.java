package dev.berth.registry.servlet;

import dev.berth.registry.Registry;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Page;
import dev.berth.registry.model.Platform;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Listings: {@code /tags/list} and {@code /_catalog} with {@code n}/{@code last} paging, and {@code /referrers/}. */
final class ListEndpoints {
    /** The most entries one page holds, whatever {@code n} asks (distribution's catalog.maxentries default). */
    static final int MAX_PAGE = 1000;

    private ListEndpoints() {
    }

    static void tags(Exchange x, Repository repo) throws IOException {
        int n = pageSize(x, Integer.MAX_VALUE);
        String last = x.param("last");
        Page<Tag> page = repo.tags().list(n, last);
        page.next().ifPresent(next -> link(x, "/v2/" + repo.name() + "/tags/list", n, next.value()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", repo.name().value());
        body.put("tags", page.items().stream().map(Tag::value).toList());
        x.json(200, "application/json", body);
    }

    static void catalog(Exchange x, Registry registry, int maxEntries, Predicate<RepositoryName> visible)
            throws IOException {
        int n = Math.min(pageSize(x, maxEntries), maxEntries);
        String last = x.param("last");
        Page<RepositoryName> page = registry.catalog(n, last, visible);
        page.next().ifPresent(next -> link(x, "/v2/_catalog", n, next.value()));
        x.json(200, "application/json", Map.of("repositories", page.items().stream().map(RepositoryName::value).toList()));
    }

    static void referrers(Exchange x, Repository repo, Digest subject) throws IOException {
        String artifactType = x.param("artifactType");
        List<Descriptor> referrers = repo.referrers().list(subject, artifactType);
        if (artifactType != null) {
            x.response.setHeader("OCI-Filters-Applied", "artifactType");
        }
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Descriptor d : referrers) {
            manifests.add(descriptor(d));
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        x.json(200, MediaTypes.OCI_INDEX, index);
    }

    static Map<String, Object> descriptor(Descriptor d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", d.mediaType());
        m.put("digest", d.digest().toString());
        m.put("size", d.size());
        if (d.artifactType() != null) {
            m.put("artifactType", d.artifactType());
        }
        if (!d.annotations().isEmpty()) {
            m.put("annotations", d.annotations());
        }
        if (d.platform() != null) {
            Platform p = d.platform();
            m.put("platform", Map.of("architecture", p.architecture(), "os", p.os()));
        }
        return m;
    }

    private static int pageSize(Exchange x, int defaultSize) {
        String n = x.param("n");
        if (n == null) {
            return defaultSize;
        }
        try {
            int value = Integer.parseInt(n);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return Math.min(value, MAX_PAGE);
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer, got '" + n + "'");
        }
    }

    private static void link(Exchange x, String path, int n, String last) {
        x.response.setHeader("Link", "<" + x.relative(path) + "?n=" + n + "&last="
                + URLEncoder.encode(last, StandardCharsets.UTF_8) + ">; rel=\"next\"");
    }
}
