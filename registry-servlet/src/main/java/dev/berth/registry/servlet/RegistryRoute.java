package dev.berth.registry.servlet;

import java.util.Locale;

/**
 * The registry API endpoint a request addressed, as a bounded label for metrics (the server's and the Spring Boot starter's): never the repository name, tag or
 * digest, so the number of time series stays fixed whatever the traffic.
 *
 * <p>Classification follows {@code RegistryServlet}'s router: repository names contain slashes, so the endpoint is
 * matched from the end of the path. It is done on the raw (percent-encoded) path, which is good enough for a label;
 * a path the router would refuse may still get a specific route here (its status tells the rest).
 */
public enum RegistryRoute {
    /** {@code /v2/}: the version check. */
    BASE,
    /** {@code /v2/_catalog}. */
    CATALOG,
    /** {@code /v2/<name>/tags/list}. */
    TAGS,
    /** {@code /v2/<name>/manifests/<reference>}. */
    MANIFEST,
    /** {@code /v2/<name>/blobs/<digest>}. */
    BLOB,
    /** {@code /v2/<name>/blobs/uploads/}: start an upload, push a blob in one request, or mount. */
    UPLOAD_START,
    /** {@code /v2/<name>/blobs/uploads/<id>}: chunks, status, commit, cancel. */
    UPLOAD,
    /** {@code /v2/<name>/referrers/<digest>}. */
    REFERRERS,
    /** {@code /v2/_berth/...}: Berth's admin endpoints (whole-repository delete). */
    ADMIN,
    /** Anything else (not the registry API, or malformed). */
    OTHER;

    /** The label used in metrics: the constant's name in lower case ({@code upload_start}). */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The route of {@code path}, the request's path relative to the registry's context (so {@code /v2/...}), without
     * the query.
     */
    public static RegistryRoute classify(String path) {
        if (path == null) {
            return OTHER;
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            return BASE;
        }
        if (!path.startsWith("/v2/")) {
            return OTHER;
        }
        String rest = path.substring("/v2/".length());
        if (rest.equals("_catalog")) {
            return CATALOG;
        }
        if (rest.startsWith("_berth/")) {
            return ADMIN; // before the endpoint words: the rest is a repository name, whatever it ends with
        }
        if (rest.endsWith("/tags/list")) {
            return rest.length() > "/tags/list".length() ? TAGS : OTHER;
        }
        // The last segment is the argument (reference, digest, upload id); the one before it names the endpoint.
        if (endsWithEndpoint(rest, "/manifests/")) {
            return MANIFEST;
        }
        if (endsWithEndpoint(rest, "/referrers/")) {
            return REFERRERS;
        }
        int uploads = rest.lastIndexOf("/blobs/uploads");
        if (uploads > 0 && (rest.endsWith("/blobs/uploads") || rest.endsWith("/blobs/uploads/"))) {
            return UPLOAD_START;
        }
        if (endsWithEndpoint(rest, "/blobs/uploads/")) {
            return UPLOAD;
        }
        if (endsWithEndpoint(rest, "/blobs/")) {
            return BLOB;
        }
        return OTHER;
    }

    /** Whether {@code rest} is {@code <name><endpoint><one non-empty segment>} with a non-empty name. */
    private static boolean endsWithEndpoint(String rest, String endpoint) {
        int lastSlash = rest.lastIndexOf('/');
        if (lastSlash < 0 || lastSlash == rest.length() - 1) {
            return false;
        }
        String head = rest.substring(0, lastSlash + 1);
        return head.endsWith(endpoint) && head.length() > endpoint.length();
    }
}
