package dev.berth.registry.servlet;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.proxy.Upstream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Which endpoint a request path names. Repository names contain slashes, so the path is matched from its end:
 * {@code /v2/<name>/manifests/<ref>}, {@code /blobs/<digest>}, {@code /blobs/uploads/[<id>]}, {@code /tags/list},
 * {@code /referrers/<digest>}; plus {@code /v2/}, {@code /v2/_catalog} and Berth's admin endpoint
 * {@code /v2/_berth/repositories/<name>}. The path is percent-decoded first and every
 * part is then validated by the core's grammar, so {@code %2e%2e} and friends end as NAME_INVALID, never as a path.
 *
 * <p>The argument (a reference, a digest) is matched as any text, whatever its form: a route never fails to match
 * because its argument is bad, so a bad argument is answered by what the method does with it, never by a 405.
 * A read or a delete looks it up ({@link #referenceToFind()}, {@link #digestToFind()}): what cannot name anything
 * is not found, as what names nothing. A write, or a referrers listing, parses it ({@link #reference()},
 * {@link #digest()}): a bad one is a 400 that says what is wrong.
 */
record Route(Kind kind, RepositoryName name, String argument) {

    enum Kind { BASE, CATALOG, TAGS, MANIFEST, BLOB, UPLOADS, UPLOAD, REFERRERS, ADMIN_REPOSITORY }

    /**
     * Berth's own admin endpoints live under this prefix. No repository name has a component starting with '_', so
     * it can never clash with a repository's endpoints.
     */
    static final String ADMIN_REPOSITORIES = "_berth/repositories/";

    /**
     * This route in the repository a client means when it sends containerd's {@code ns} hint (the registry the image
     * name came from, e.g. {@code ?ns=docker.io}): {@code docker.io/library/alpine} when one of {@code upstreams}
     * serves the prefix {@code docker.io}; otherwise this route as it is.
     */
    Route namespaced(String ns, List<Upstream> upstreams) {
        if (name == null || ns == null || ns.isEmpty() || name.value().startsWith(ns + "/")) {
            return this;
        }
        boolean served = upstreams.stream().anyMatch(u -> u.prefix().equals(ns));
        String candidate = ns + "/" + name.value();
        return served && RepositoryName.isValid(candidate)
                ? new Route(kind, new RepositoryName(candidate), argument) : this;
    }

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

    /** The manifest reference, as a write takes it: TAG_INVALID, DIGEST_INVALID or UNSUPPORTED (400) when bad. */
    Reference reference() {
        return Reference.parse(argument);
    }

    /**
     * The manifest reference, as a read or a delete looks it up: one that is neither a tag nor a digest of a supported
     * algorithm names no manifest, so it is MANIFEST_UNKNOWN (404), like a reference that names none. Clients (and
     * the OCI conformance suite) probe with such references and expect "not found", not a complaint.
     */
    Reference referenceToFind() {
        try {
            return reference();
        } catch (RegistryException e) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "no manifest can have that reference: "
                    + e.detail());
        }
    }

    /** The digest, as a referrers listing takes it: DIGEST_INVALID or UNSUPPORTED (400) when bad, as the spec says. */
    Digest digest() {
        return Digest.parse(argument);
    }

    /** The blob digest, as a read or a delete looks it up: one that is no supported digest is BLOB_UNKNOWN (404). */
    Digest digestToFind() {
        try {
            return digest();
        } catch (RegistryException e) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "no blob can have that digest: " + e.detail());
        }
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
