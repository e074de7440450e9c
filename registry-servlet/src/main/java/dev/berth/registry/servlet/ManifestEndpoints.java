package dev.berth.registry.servlet;

import dev.berth.registry.Manifests;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code GET|HEAD|PUT|DELETE /v2/<name>/manifests/<reference>}. */
final class ManifestEndpoints {
    /** distribution's limit, and the OCI spec's suggestion. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;

    private ManifestEndpoints() {
    }

    static void get(Exchange x, Repository repo, Reference reference) throws IOException {
        StoredManifest m = repo.manifests().getOrThrow(reference);
        Set<String> accepted = accepted(x);
        if (!accepted.isEmpty() && !accepted.contains(m.mediaType()) && !accepted.contains("*/*")
                && !accepted.contains("application/*")) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is " + m.mediaType()
                    + ", which the request's Accept header does not include");
        }
        x.response.setStatus(200);
        x.response.setContentType(m.mediaType());
        x.response.setContentLength(m.size());
        x.response.setHeader("Docker-Content-Digest", m.digest().toString());
        x.response.setHeader("ETag", "\"" + m.digest() + "\"");
        // Raised before the bytes go out, as distribution does: a listener knows of the pull when the client has it.
        Events.manifestPulled(x, repo, reference, m);
        if (!x.isHead()) {
            x.response.getOutputStream().write(m.bytes());
        }
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
        Events.manifestPushed(x, repo, reference, tags, put);
        x.empty(201);
    }

    static void delete(Exchange x, Repository repo, Reference reference) {
        if (reference instanceof Reference.ByTag byTag) {
            repo.tags().delete(byTag.tag());
        } else {
            repo.manifests().delete(reference.asDigest().orElseThrow());
        }
        Events.deleted(x, repo, reference);
        x.empty(202);
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
