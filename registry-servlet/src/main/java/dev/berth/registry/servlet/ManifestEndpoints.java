package dev.berth.registry.servlet;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Manifests;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** {@code GET|HEAD|PUT|DELETE /v2/<name>/manifests/<reference>}. */
final class ManifestEndpoints {
    /** distribution's limit, and the OCI spec's suggestion. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;

    private ManifestEndpoints() {
    }

    /**
     * A GET is a pull of the manifest ({@code get}); a HEAD only asks what it is ({@code stat}). Either is
     * MANIFEST_UNKNOWN for a manifest of a type the Accept header does not include.
     */
    static void get(Exchange x, Repository repo, Reference reference) throws IOException {
        Predicate<String> accepts = accepts(x);
        if (x.isHead()) {
            Descriptor d = repo.manifests().stat(reference).filter(m -> accepts.test(m.mediaType()))
                    .orElseThrow(() -> unknown(repo, reference)); // a HEAD's answer has no body to say which
            headers(x, d.mediaType(), d.digest(), d.size());
            return;
        }
        StoredManifest m = repo.manifests().get(reference, accepts).orElseThrow(() -> unknown(repo, reference));
        headers(x, m.mediaType(), m.digest(), m.size());
        x.response.getOutputStream().write(m.bytes());
    }

    private static RegistryException unknown(Repository repo, Reference reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is not in repository "
                + repo.name());
    }

    private static void headers(Exchange x, String mediaType, Digest digest, long size) {
        x.response.setStatus(200);
        x.response.setContentType(mediaType);
        x.response.setContentLengthLong(size);
        x.response.setHeader("Docker-Content-Digest", digest.toString());
        x.response.setHeader("ETag", "\"" + digest + "\"");
    }

    static void put(Exchange x, Repository repo, Reference reference) throws IOException {
        if (x.async()) {
            // No thread waits for a slow client's manifest; it must arrive within the body timeout.
            AsyncSmallBody.read(x, MAX_MANIFEST_BYTES, "the manifest", ErrorCode.MANIFEST_INVALID,
                    body -> put(x, repo, reference, body));
            return;
        }
        put(x, repo, reference, x.smallBody(MAX_MANIFEST_BYTES, "the manifest"));
    }

    private static void put(Exchange x, Repository repo, Reference reference, byte[] body) throws IOException {
        List<Tag> tags = new ArrayList<>();
        for (String t : x.params("tag")) {
            tags.add(Tag.parse(t));
        }
        Manifests.PutResult put = repo.manifests().put(reference, x.request.getContentType(), body, tags);
        x.response.setHeader("Location", x.url("/v2/" + repo.name() + "/manifests/" + put.digest()));
        x.response.setHeader("Docker-Content-Digest", put.digest().toString());
        put.manifest().subject().ifPresent(s -> x.response.setHeader("OCI-Subject", s.digest().toString()));
        x.empty(201);
    }

    static void delete(Exchange x, Repository repo, Reference reference) {
        if (reference instanceof Reference.ByTag byTag) {
            repo.tags().delete(byTag.tag());
        } else {
            repo.manifests().delete(reference.asDigest().orElseThrow());
        }
        x.empty(202);
    }

    /** Which media types the client takes: those of its Accept headers, or any without one or with a wildcard. */
    private static Predicate<String> accepts(Exchange x) {
        Set<String> accepted = accepted(x);
        if (accepted.isEmpty() || accepted.contains("*/*") || accepted.contains("application/*")) {
            return mediaType -> true;
        }
        return accepted::contains;
    }

    /** The media types the client accepts, from every Accept header, parameters dropped. */
    private static Set<String> accepted(Exchange x) {
        Set<String> types = new LinkedHashSet<>();
        Enumeration<String> headers = x.request.getHeaders("Accept");
        while (headers != null && headers.hasMoreElements()) {
            for (String part : headers.nextElement().split(",")) {
                String t = MediaTypes.normalize(part);
                if (t != null) {
                    types.add(t);
                }
            }
        }
        return types;
    }
}
