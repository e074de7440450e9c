package dev.berth.registry.repository;

import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;

/**
 * Blob uploads of one repository: start, append chunks, commit with digest verification, cancel.
 *
 * <p>An upload's state is in storage ({@code _uploads/<id>/data} and {@code startedat}), so any instance over the
 * same storage can take the next chunk. The instance that wrote the previous chunks keeps the running digest, so a
 * commit does not re-read the blob; one that lacks it reads from storage only the bytes it has not hashed. A blob
 * becomes visible under its digest only after its bytes are verified, by a move of the verified data; a commit is
 * reported as a push.
 *
 * <p>Methods that take an {@link InputStream} throw the stream's {@link IOException} as it is (a client that went
 * away); the bytes received until then stay in the upload, which can be resumed from {@link #status}. Every method
 * but {@link #status} is a write, UNSUPPORTED when the registry is read-only (and in a pull-through repository).
 * Thread-safe; chunks of one upload are serialised within this instance.
 */
public interface Uploads {

    /** How long a request waits for another one writing to the same upload (within this instance). */
    Duration HOLD_WAIT = Duration.ofSeconds(10);

    /** Where an upload stands: its id, how many bytes it holds, when it started. */
    record UploadStatus(String id, long offset, Instant startedAt) {
    }

    /** Starts an empty upload. UNSUPPORTED when read-only or in a pull-through repository. */
    UploadStatus start();

    /** How far an upload has got; BLOB_UPLOAD_UNKNOWN when there is no such upload. */
    UploadStatus status(String id);

    /** Appends a chunk at whatever offset the upload has reached. */
    default UploadStatus append(String id, InputStream chunk) throws IOException {
        return append(id, -1, chunk);
    }

    /**
     * Appends a chunk that the client says starts at {@code expectedOffset} (-1: wherever the upload is). A chunk
     * that does not start where the upload ends is RANGE_INVALID, and nothing is written.
     */
    default UploadStatus append(String id, long expectedOffset, InputStream chunk) throws IOException {
        try (ChunkWriter w = openChunk(id, expectedOffset)) {
            w.readAll(chunk);
            return w.finish();
        }
    }

    /**
     * Completes an upload: appends {@code finalChunk} (may be null), verifies that the bytes have {@code digest},
     * and makes the blob visible in this repository. A digest that does not match is DIGEST_INVALID, and the upload
     * is discarded (as distribution does: the client starts again).
     */
    default Descriptor commit(String id, Digest digest, InputStream finalChunk) throws IOException {
        return commit(id, digest, -1, finalChunk);
    }

    default Descriptor commit(String id, Digest digest, long expectedOffset, InputStream finalChunk)
            throws IOException {
        try (ChunkWriter w = openChunk(id, expectedOffset)) {
            if (finalChunk != null) {
                w.readAll(finalChunk);
            }
            return w.commit(digest);
        }
    }

    /**
     * Opens a chunk of an upload that starts at {@code expectedOffset} (-1: wherever the upload is), to be written
     * as its bytes arrive: what {@link #append} and {@link #commit} do with a stream, for a server that reads request
     * bodies without blocking. BLOB_UPLOAD_UNKNOWN, RANGE_INVALID (nothing written) and UNSUPPORTED come from here.
     * The chunk holds the upload within this instance until it is finished, committed or closed; another request
     * for the same upload waits up to {@link #HOLD_WAIT} for it, then is BLOB_UPLOAD_INVALID.
     */
    default ChunkWriter openChunk(String id, long expectedOffset) {
        return openChunk(id, expectedOffset, -1);
    }

    /**
     * As {@link #openChunk(String, long)}, for a chunk whose length the client declared ({@code length}, -1: not
     * declared), as HTTP's Content-Range does for a body of unknown length: the chunk takes at most that many bytes,
     * and a body that goes on past them or ends short of them is RANGE_INVALID, with the chunk rolled back so that
     * the upload holds what it held before (see {@link ChunkWriter}).
     */
    ChunkWriter openChunk(String id, long expectedOffset, long length);

    /** A whole blob in one call: start, write, commit (an upload that fails is cancelled). */
    default Descriptor put(Digest digest, InputStream content) throws IOException {
        UploadStatus upload = start();
        try {
            return commit(upload.id(), digest, content);
        } catch (IOException | RuntimeException e) {
            try {
                cancel(upload.id());
            } catch (RegistryException ignored) {
                // already gone, or storage failing: upload purging will collect it
            }
            throw e;
        }
    }

    /** Abandons an upload and frees its space; BLOB_UPLOAD_UNKNOWN when there is no such upload. */
    void cancel(String id);

    /**
     * One chunk of an upload, fed as its bytes arrive ({@link #readFrom}) and ended by exactly one of
     * {@link #finish()} (keep the bytes; the upload goes on), {@link #commit} (verify and make the blob visible) or
     * {@link #close()} alone (the client went away or was cut off: the bytes that arrived are kept, so the upload can
     * be resumed from {@link Uploads#status}). Used by one thread at a time; {@code close()} after the others is
     * harmless.
     *
     * <p>A chunk of a declared length ({@link Uploads#openChunk(String, long, long)}) is refused, RANGE_INVALID, by
     * the {@code readFrom} that finds a byte past that length (which is not kept), or by the {@code finish} or
     * {@code commit} of a stream that ended short of it. A refused chunk is rolled back: the upload holds what it
     * held before the chunk, and the client can send the chunk again. (With a storage driver that cannot roll back a
     * writer, the whole upload is discarded instead, and the refusal is BLOB_UPLOAD_INVALID: the client starts
     * again.) The chunk is ended then; {@code close()} is harmless.
     */
    interface ChunkWriter extends AutoCloseable {

        /**
         * Reads once from {@code in} (a single {@code read} call: on a non-blocking server's stream that said it is
         * ready, this does not block) and keeps what came. Returns the number of bytes, or -1 at the end of the
         * stream. The stream's failure is thrown as it is; a storage failure is UNAVAILABLE; a byte past the
         * declared length refuses the chunk (see the class comment).
         */
        int readFrom(InputStream in) throws IOException;

        /** Reads {@code in} to its end. */
        default void readAll(InputStream in) throws IOException {
            while (readFrom(in) >= 0) {
                // keep reading
            }
        }

        /** Passes on what is buffered (call it when the client pauses, so that an idle upload holds no buffer). */
        void pause() throws IOException;

        /** The upload's size with what this chunk took so far. */
        long size();

        /** Ends the chunk keeping its bytes: the upload's state after it. */
        UploadStatus finish() throws IOException;

        /** Ends the chunk and the upload: verifies the bytes have {@code digest} and makes the blob visible. */
        Descriptor commit(Digest digest) throws IOException;

        /**
         * Ends the chunk unless {@link #finish()} or {@link #commit} did: keeps the bytes that arrived (the upload
         * can be resumed from {@link Uploads#status}) and releases the upload.
         */
        @Override
        void close();
    }
}
