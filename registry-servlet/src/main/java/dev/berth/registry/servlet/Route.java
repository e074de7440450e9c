package dev.berth.registry.servlet;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.registry.model.RepositoryName;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Which endpoint a request path names. Repository names contain slashes, so the path is matched from its end:
 * {@code /v2/<name>/manifests/<ref>}, {@code /blobs/<digest>}, {@code /blobs/uploads/[<id>]}, {@code /tags/list},
 * {@code /referrers/<digest>}; plus {@code /v2/}, {@code /v2/_catalog} and Berth's admin endpoint
 * {@code /v2/_berth/repositories/<name>}. The path is percent-decoded first and every
 * part is then validated by the core's grammar, so {@code %2e%2e} and friends end as NAME_INVALID, never as a path.
 */
record Route(Kind kind, RepositoryName name, String argument) {

    enum Kind { BASE, CATALOG, TAGS, MANIFEST, BLOB, UPLOADS, UPLOAD, REFERRERS, ADMIN_REPOSITORY }

    /**
     * Berth's own admin endpoints live under this prefix. No repository name has a component starting with '_', so
     * it can never clash with a repository's endpoints.
     */
    static final String ADMIN_REPOSITORIES = "_berth/repositories/";

    /** Parses a path relative to the servlet (context path removed); NOT_FOUND when it is no endpoint of the API. */
    static Route parse(String rawPath) {
        String path;
        try {
            path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.NOT_FOUND, "malformed percent-encoding in the path");
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            return new Route(Kind.BASE, null, null);
        }
        if (!path.startsWith("/v2/")) {
            throw notFound();
        }
        String rest = path.substring(4);
        if (rest.equals("_catalog")) {
            return new Route(Kind.CATALOG, null, null);
        }
        if (rest.startsWith(ADMIN_REPOSITORIES)) {
            // The whole rest is the name: "a/tags/list" is a repository name here, not an endpoint.
            return new Route(Kind.ADMIN_REPOSITORY, name(rest.substring(ADMIN_REPOSITORIES.length())), null);
        }
        if (rest.endsWith("/tags/list")) {
            return new Route(Kind.TAGS, name(rest.substring(0, rest.length() - "/tags/list".length())), null);
        }
        int at = rest.lastIndexOf("/manifests/");
        if (at > 0 && rest.indexOf('/', at + "/manifests/".length()) < 0) {
            return new Route(Kind.MANIFEST, name(rest.substring(0, at)), nonEmpty(rest.substring(at + 11)));
        }
        at = rest.lastIndexOf("/referrers/");
        if (at > 0 && rest.indexOf('/', at + "/referrers/".length()) < 0) {
            return new Route(Kind.REFERRERS, name(rest.substring(0, at)), nonEmpty(rest.substring(at + 11)));
        }
        at = rest.lastIndexOf("/blobs/uploads");
        if (at > 0) {
            String tail = rest.substring(at + "/blobs/uploads".length());
            if (tail.isEmpty() || tail.equals("/")) {
                return new Route(Kind.UPLOADS, name(rest.substring(0, at)), null);
            }
            if (tail.startsWith("/") && tail.indexOf('/', 1) < 0) {
                return new Route(Kind.UPLOAD, name(rest.substring(0, at)), tail.substring(1));
            }
        }
        at = rest.lastIndexOf("/blobs/");
        if (at > 0 && rest.indexOf('/', at + "/blobs/".length()) < 0) {
            return new Route(Kind.BLOB, name(rest.substring(0, at)), nonEmpty(rest.substring(at + 7)));
        }
        throw notFound();
    }

    private static RepositoryName name(String s) {
        return RepositoryName.parse(s);
    }

    private static String nonEmpty(String s) {
        if (s.isEmpty()) {
            throw notFound();
        }
        return s;
    }

    private static RegistryException notFound() {
        return new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint of the registry API");
    }
}
