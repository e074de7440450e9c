package dev.berth.registry.servlet;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads.UploadStatus;
import dev.berth.registry.repository.Uploads;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code /v2/<name>/blobs/uploads/[<id>]}: start (or mount, or push in one request), chunks, status, commit, cancel. */
final class UploadEndpoints {
    /** {@code start-end}, or the HTTP form {@code bytes start-end/total}. */
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");

    private UploadEndpoints() {
    }

    /** POST: {@code ?mount=&from=} mounts, {@code ?digest=} takes the whole blob, otherwise a session starts. */
    static void start(Exchange x, Repository repo, Predicate<RepositoryName> mayPullFrom) throws IOException {
        String mount = x.param("mount");
        if (mount != null) {
            Digest digest = Digest.isValid(mount) ? Digest.parse(mount) : null;
            String from = x.param("from");
            if (digest != null && from != null && RepositoryName.isValid(from)
                    && mayPullFrom.test(RepositoryName.parse(from))) {
                Optional<Descriptor> mounted = repo.blobs().mount(digest, RepositoryName.parse(from));
                if (mounted.isPresent()) {
                    created(x, repo, digest);
                    return;
                }
            }
            // Cannot mount (a digest or source that is none, an unknown source, one that lacks the blob): the spec
            // says to start an upload instead.
        }
        String digestParam = x.param("digest");
        if (digestParam != null) {
            Digest digest = Digest.parse(digestParam);
            if (x.async() && hasBody(x)) {
                UploadStatus upload = repo.uploads().start();
                Uploads.ChunkWriter whole;
                try {
                    whole = repo.uploads().openChunk(upload.id(), 0);
                } catch (RuntimeException e) {
                    cancelQuietly(repo, upload.id());
                    throw e;
                }
                readBody(x, whole, chunk -> {
                    chunk.commit(digest);
                    created(x, repo, digest);
                }, () -> cancelQuietly(repo, upload.id()));
                return;
            }
            repo.uploads().put(digest, x.request.getInputStream());
            created(x, repo, digest);
            return;
        }
        UploadStatus status = repo.uploads().start();
        progress(x, repo, status, 202);
    }

    /** PATCH: one chunk, at the offset its Content-Range says (or wherever the upload is). */
    static void append(Exchange x, Repository repo, String id) throws IOException {
        ChunkRange range = chunkRange(x);
        Uploads.ChunkWriter chunk = repo.uploads().openChunk(id, range.offset(), range.length());
        if (x.async() && hasBody(x)) {
            readBody(x, chunk, c -> progress(x, repo, c.finish(), 202), () -> { });
            return;
        }
        try (chunk) {
            chunk.readAll(x.request.getInputStream());
            progress(x, repo, chunk.finish(), 202);
        }
    }

    /** PUT {@code ?digest=}: the last chunk, if any, then verification and the blob. */
    static void commit(Exchange x, Repository repo, String id) throws IOException {
        String digestParam = x.param("digest");
        if (digestParam == null) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required to complete"
                    + " an upload");
        }
        Digest digest = Digest.parse(digestParam);
        ChunkRange range = chunkRange(x);
        Uploads.ChunkWriter chunk = repo.uploads().openChunk(id, range.offset(), range.length());
        if (x.async() && hasBody(x)) {
            readBody(x, chunk, c -> {
                c.commit(digest);
                created(x, repo, digest);
            }, () -> { });
            return;
        }
        try (chunk) {
            chunk.readAll(x.request.getInputStream());
            chunk.commit(digest);
            created(x, repo, digest);
        }
    }

    static void status(Exchange x, Repository repo, String id) {
        progress(x, repo, repo.uploads().status(id), 204);
    }

    static void cancel(Exchange x, Repository repo, String id) {
        repo.uploads().cancel(id);
        x.empty(204);
    }

    /** Whether the request may carry bytes (a length of -1 is unknown: chunked, or HTTP/2 without one). */
    private static boolean hasBody(Exchange x) {
        return x.request.getContentLengthLong() != 0;
    }

    /** Reads the body into {@code chunk} without holding a thread while the client is slow, then {@code onBody}. */
    private static void readBody(Exchange x, Uploads.ChunkWriter chunk, AsyncUpload.OnBody onBody,
            Runnable onFailure) throws IOException {
        try {
            AsyncUpload.start(x, chunk, onBody, onFailure);
        } catch (IOException | RuntimeException e) {
            chunk.close();
            onFailure.run();
            throw e;
        }
    }

    private static void cancelQuietly(Repository repo, String id) {
        try {
            repo.uploads().cancel(id);
        } catch (RegistryException ignored) {
            // already discarded (a wrong digest), or storage failing: upload purging collects it
        }
    }

    /**
     * Where a chunk starts and how many bytes it holds, as its Content-Range says; both -1 without one (the chunk
     * goes wherever the upload is, with whatever the body holds).
     */
    private record ChunkRange(long offset, long length) {
        static final ChunkRange NONE = new ChunkRange(-1, -1);
    }

    /**
     * The request's Content-Range, checked against its Content-Length when it has one (RANGE_INVALID before a byte is
     * read when they disagree). A body of unknown length (chunked) is held to the range as it arrives: the chunk
     * takes no byte past it and is refused, and rolled back, when the body goes on or ends short
     * ({@link Uploads#openChunk(String, long, long)}).
     */
    private static ChunkRange chunkRange(Exchange x) {
        String range = x.request.getHeader("Content-Range");
        if (range == null) {
            return ChunkRange.NONE;
        }
        Matcher m = CONTENT_RANGE.matcher(range.trim());
        if (!m.matches()) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range must be <start>-<end>, got " + range);
        }
        long start;
        long end;
        try {
            start = Long.parseLong(m.group(1));
            end = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range out of range: " + range);
        }
        long length = x.request.getContentLengthLong();
        if (end < start || end == Long.MAX_VALUE || (length >= 0 && length != end - start + 1)) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range " + range + " does not match the "
                    + (length >= 0 ? length + " bytes of the body" : "body"));
        }
        return new ChunkRange(start, end - start + 1);
    }

    private static void progress(Exchange x, Repository repo, UploadStatus status, int httpStatus) {
        x.response.setHeader("Location", x.url("/v2/" + repo.name() + "/blobs/uploads/" + status.id()));
        x.response.setHeader("Docker-Upload-UUID", status.id());
        x.response.setHeader("Range", "0-" + Math.max(0, status.offset() - 1));
        x.empty(httpStatus);
    }

    private static void created(Exchange x, Repository repo, Digest digest) {
        x.response.setHeader("Location", x.url("/v2/" + repo.name() + "/blobs/" + digest));
        x.response.setHeader("Docker-Content-Digest", digest.toString());
        x.empty(201);
    }
}
