package dev.berth.registry.internal.layout;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.util.List;

/**
 * The only place a storage path is spelled. The tree is CNCF distribution's, so that a {@code registry:2} folder or
 * bucket is served as it is and can be handed back:
 *
 * <pre>
 * /docker/registry/v2/
 *   blobs/&lt;alg&gt;/&lt;hex[0:2]&gt;/&lt;hex&gt;/data                          the bytes, once per digest
 *   repositories/&lt;name&gt;/
 *     _layers/&lt;alg&gt;/&lt;hex&gt;/link                                "alg:hex": the blob is in the repository
 *     _manifests/revisions/&lt;alg&gt;/&lt;hex&gt;/link                    the manifest is in the repository
 *     _manifests/tags/&lt;tag&gt;/current/link                          the digest the tag points at
 *     _manifests/tags/&lt;tag&gt;/index/&lt;alg&gt;/&lt;hex&gt;/link            every digest the tag pointed at
 *     _uploads/&lt;uuid&gt;/data                                       an upload's bytes so far
 *     _uploads/&lt;uuid&gt;/startedat                                  RFC 3339 start time
 *     _referrers/&lt;alg&gt;/&lt;hex&gt;/&lt;alg&gt;/&lt;hex&gt;/link    Berth only: manifest (2nd) whose subject is (1st)
 *   _berth/gc/last.json                                        Berth only: the last garbage collection's summary
 * </pre>
 *
 * Distribution ignores {@code _referrers} (its catalog skips folders starting with '_' and finds repositories by their
 * {@code _manifests}), so the layout stays readable by it; {@code _berth/} lies beside {@code blobs/} and
 * {@code repositories/}, which are all distribution walks (its garbage collector included), and a folder starting
 * with '_' can be neither a repository nor a blob.
 */
public final class Layout {
    private Layout() {
    }

    public static final String ROOT = "/docker/registry/v2";
    public static final String BLOBS = ROOT + "/blobs";
    public static final String REPOSITORIES = ROOT + "/repositories";
    /** Where the summary of the last garbage collection is kept, whichever process ran it. */
    public static final String LAST_GC = ROOT + "/_berth/gc/last.json";

    public static final String LINK = "link";
    public static final String MANIFESTS_DIR = "_manifests";
    public static final String LAYERS_DIR = "_layers";
    public static final String UPLOADS_DIR = "_uploads";
    public static final String REFERRERS_DIR = "_referrers";
    /**
     * The folders that belong to a repository itself; anything else in its folder is a nested repository ({@code a/b}
     * inside {@code a}), since a name component never starts with '_'.
     */
    public static final List<String> REPOSITORY_DIRS = List.of(MANIFESTS_DIR, LAYERS_DIR,
            UPLOADS_DIR, REFERRERS_DIR);

    /** The bytes of a blob (layers, configs and manifests alike). */
    public static String blobData(Digest d) {
        return blobDir(d) + "/data";
    }

    public static String blobDir(Digest d) {
        return BLOBS + "/" + d.algorithm().id() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
    }

    public static String repository(RepositoryName name) {
        return REPOSITORIES + "/" + name.value();
    }

    /** One of {@link #REPOSITORY_DIRS} of a repository. */
    public static String repositoryDir(RepositoryName name, String dir) {
        return repository(name) + "/" + dir;
    }

    public static String layersDir(RepositoryName name) {
        return repository(name) + "/" + LAYERS_DIR;
    }

    public static String layerLink(RepositoryName name, Digest d) {
        return layerLinkDir(name, d) + "/" + LINK;
    }

    public static String layerLinkDir(RepositoryName name, Digest d) {
        return repository(name) + "/" + LAYERS_DIR + "/" + d.algorithm().id() + "/" + d.hex();
    }

    public static String manifestsDir(RepositoryName name) {
        return repository(name) + "/" + MANIFESTS_DIR;
    }

    public static String manifestRevisionsDir(RepositoryName name) {
        return manifestsDir(name) + "/revisions";
    }

    public static String manifestRevisionLinkDir(RepositoryName name, Digest d) {
        return manifestRevisionsDir(name) + "/" + d.algorithm().id() + "/" + d.hex();
    }

    public static String manifestRevisionLink(RepositoryName name, Digest d) {
        return manifestRevisionLinkDir(name, d) + "/" + LINK;
    }

    public static String tagsDir(RepositoryName name) {
        return manifestsDir(name) + "/tags";
    }

    public static String tagDir(RepositoryName name, Tag tag) {
        return tagsDir(name) + "/" + tag.value();
    }

    public static String tagCurrentLink(RepositoryName name, Tag tag) {
        return tagDir(name, tag) + "/current/" + LINK;
    }

    public static String tagIndexLink(RepositoryName name, Tag tag, Digest d) {
        return tagDir(name, tag) + "/index/" + d.algorithm().id() + "/" + d.hex() + "/" + LINK;
    }

    public static String uploadsDir(RepositoryName name) {
        return repository(name) + "/" + UPLOADS_DIR;
    }

    public static String uploadDir(RepositoryName name, String uploadId) {
        return uploadsDir(name) + "/" + uploadId;
    }

    public static String uploadData(RepositoryName name, String uploadId) {
        return uploadDir(name, uploadId) + "/data";
    }

    public static String uploadStartedAt(RepositoryName name, String uploadId) {
        return uploadDir(name, uploadId) + "/startedat";
    }

    /** Every referrer of {@code subject} lies below this folder. */
    public static String referrersDir(RepositoryName name, Digest subject) {
        return repository(name) + "/" + REFERRERS_DIR + "/" + subject.algorithm().id() + "/" + subject.hex();
    }

    public static String referrerLinkDir(RepositoryName name, Digest subject, Digest referrer) {
        return referrersDir(name, subject) + "/" + referrer.algorithm().id() + "/" + referrer.hex();
    }

    public static String referrerLink(RepositoryName name, Digest subject, Digest referrer) {
        return referrerLinkDir(name, subject, referrer) + "/" + LINK;
    }
}
