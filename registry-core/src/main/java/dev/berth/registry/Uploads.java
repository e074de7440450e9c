package dev.berth.registry;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.proxy.PullThrough;
import dev.berth.registry.internal.store.HashingSink;
import dev.berth.registry.internal.store.RunningHashes;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Blob uploads of one repository: start, append chunks, commit with digest verification, cancel.
 *
 * <p>An upload's state is in storage ({@code _uploads/<id>/data} and {@code startedat}), so any instance over the
 * same storage can take the next chunk. The instance that wrote the previous chunks keeps the running digest, so a
 * commit does not re-read the blob; one that lacks it reads from storage only the bytes it has not hashed. A blob
 * becomes visible under its digest only after its bytes are verified, by a move of the verified data.
 *
 * <p>Methods that take an {@link InputStream} throw the stream's {@link IOException} as it is (a client that went
 * away); the bytes received until then stay in the upload, which can be resumed from {@link #status}. Every method
 * but {@link #status} is a write, UNSUPPORTED when the registry is read-only.
 * Thread-safe; chunks of one upload are serialised within this instance.
 */
public final class Uploads {
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int BUFFER_SIZE = 1 << 20;
    /** The upload hash we keep running; a sha512 commit re-reads (rare: clients push sha256). */
    private static final Digest.Algorithm RUNNING_ALGORITHM = Digest.Algorithm.SHA256;

    private final Store store;
    private final RepositoryName name;
    private final Blobs blobs;
    private final PullThrough.Target proxy;

    Uploads(Store store, RepositoryName name, Blobs blobs) {
        this(store, name, blobs, null);
    }

    Uploads(Store store, RepositoryName name, Blobs blobs, PullThrough.Target proxy) {
        this.store = store;
        this.name = name;
        this.blobs = blobs;
        this.proxy = proxy;
    }

    /** UNSUPPORTED in a repository that mirrors an upstream: its content comes from there. */
    static void refusePush(RepositoryName name, PullThrough.Target proxy) {
        if (proxy != null) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "repository " + name + " is a pull-through cache of "
                    + proxy.upstream().redactedUrl() + "; push to a repository outside "
                    + (proxy.upstream().prefix().isEmpty() ? "the mirror" : proxy.upstream().prefix() + "/"));
        }
    }

    /** Where an upload stands: its id, how many bytes it holds, when it started. */
    public record UploadStatus(String id, long offset, Instant startedAt) {
    }

    /** Starts an empty upload. UNSUPPORTED when read-only or in a pull-through repository. */
    public UploadStatus start() {
        refusePush(name, proxy);
        return begin();
    }

    private UploadStatus begin() {
        store.checkWritable();
        String id = UUID.randomUUID().toString();
        Instant now = store.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        store.io(() -> {
            store.driver().putContent(Layout.uploadStartedAt(name, id),
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now.atOffset(ZoneOffset.UTC))
                            .getBytes(StandardCharsets.US_ASCII));
            store.driver().writer(Layout.uploadData(name, id), false).close();
            return null;
        });
        store.hashes().start(key(id), RUNNING_ALGORITHM);
        return new UploadStatus(id, 0, now);
    }

    /** How far an upload has got; BLOB_UPLOAD_UNKNOWN when there is no such upload. */
    public UploadStatus status(String id) {
        Instant started = startedAt(id);
        long size = store.stat(Layout.uploadData(name, id)).map(FileInfo::size).orElse(0L);
        return new UploadStatus(id, size, started);
    }

    /** Appends a chunk at whatever offset the upload has reached. */
    public UploadStatus append(String id, InputStream chunk) throws IOException {
        return append(id, -1, chunk);
    }

    /**
     * Appends a chunk that the client says starts at {@code expectedOffset} (-1: wherever the upload is). A chunk
     * that does not start where the upload ends is RANGE_INVALID, and nothing is written.
     */
    public UploadStatus append(String id, long expectedOffset, InputStream chunk) throws IOException {
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
    public Descriptor commit(String id, Digest digest, InputStream finalChunk) throws IOException {
        return commit(id, digest, -1, finalChunk);
    }

    public Descriptor commit(String id, Digest digest, long expectedOffset, InputStream finalChunk) throws IOException {
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
    public ChunkWriter openChunk(String id, long expectedOffset) {
        return openChunk(id, expectedOffset, -1);
    }

    /**
     * As {@link #openChunk(String, long)}, for a chunk whose length the client declared ({@code length}, -1: not
     * declared), as HTTP's Content-Range does for a body of unknown length: the chunk takes at most that many bytes,
     * and a body that goes on past them or ends short of them is RANGE_INVALID, with the chunk rolled back so that
     * the upload holds what it held before (see {@link ChunkWriter}).
     */
    public ChunkWriter openChunk(String id, long expectedOffset, long length) {
        if (length < -1) {
            throw new IllegalArgumentException("length must be -1 (not declared) or at least 0: " + length);
        }
        store.checkWritable();
        startedAt(id);
        RunningHashes.Hold hold = store.hashes().hold(key(id), HOLD_WAIT).orElseThrow(() -> new RegistryException(
                ErrorCode.BLOB_UPLOAD_INVALID, "another request is writing to upload " + id + "; retry later"));
        try {
            Instant started = startedAt(id); // again: it may have been committed while we waited
            String data = Layout.uploadData(name, id);
            StorageWriter writer;
            try {
                writer = store.driver().writer(data, true);
            } catch (PathNotFoundException e) {
                throw unknown(id);
            } catch (IOException e) {
                throw store.unavailable(e);
            }
            long size = writer.size();
            if (expectedOffset >= 0 && expectedOffset != size) {
                try {
                    writer.close();
                } catch (IOException ignored) {
                    // nothing was written
                }
                throw new RegistryException(ErrorCode.RANGE_INVALID, "chunk starts at byte " + expectedOffset
                        + " but the upload holds " + size + " bytes; continue at " + size);
            }
            try {
                return new ChunkWriter(id, started, hold, writer, size, length);
            } catch (RuntimeException e) {
                try {
                    writer.close();
                } catch (IOException ignored) {
                    // the first failure matters more
                }
                throw e;
            }
        } catch (RuntimeException e) {
            hold.close();
            throw e;
        }
    }

    /** How long a request waits for another one writing to the same upload (within this instance). */
    public static final java.time.Duration HOLD_WAIT = java.time.Duration.ofSeconds(10);

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
    public final class ChunkWriter implements AutoCloseable {
        private final String id;
        private final Instant started;
        private final RunningHashes.Hold hold;
        private final StorageWriter writer;
        private final HashingSink sink;
        private final long start;
        /** The bytes the client declared this chunk to hold, or -1. */
        private final long declared;
        private boolean ended;

        private ChunkWriter(String id, Instant started, RunningHashes.Hold hold, StorageWriter writer, long start,
                long declared) {
            this.id = id;
            this.started = started;
            this.hold = hold;
            this.writer = writer;
            this.start = start;
            this.declared = declared;
            this.sink = new HashingSink(writer, catchUp(id, start));
        }

        /**
         * Reads once from {@code in} (a single {@code read} call: on a non-blocking server's stream that said it is
         * ready, this does not block) and keeps what came. Returns the number of bytes, or -1 at the end of the
         * stream. The stream's failure is thrown as it is; a storage failure is UNAVAILABLE; a byte past the
         * declared length refuses the chunk (see the class comment).
         */
        public int readFrom(InputStream in) throws IOException {
            requireOpen();
            try {
                if (declared < 0) {
                    return sink.readFrom(in);
                }
                long left = declared - sink.size();
                if (left > 0) {
                    return sink.readFrom(in, (int) Math.min(left, Integer.MAX_VALUE));
                }
                // All the declared bytes are here: the stream must end now. One byte more is read to tell, never kept.
                if (in.read() < 0) {
                    return -1;
                }
            } catch (HashingSink.WriteFailedException e) {
                throw storageFailed(e);
            }
            throw refuse("the chunk goes on past the " + declared + " bytes its range declares");
        }

        /** Reads {@code in} to its end. */
        public void readAll(InputStream in) throws IOException {
            while (readFrom(in) >= 0) {
                // keep reading
            }
        }

        /** Passes on what is buffered (call it when the client pauses, so that an idle upload holds no buffer). */
        public void pause() throws IOException {
            requireOpen();
            try {
                sink.flush();
            } catch (HashingSink.WriteFailedException e) {
                throw storageFailed(e);
            }
        }

        /** The upload's size with what this chunk took so far. */
        public long size() {
            return start + sink.size();
        }

        /** Ends the chunk keeping its bytes: the upload's state after it. */
        public UploadStatus finish() throws IOException {
            requireOpen();
            requireDeclaredLength();
            ended = true;
            try {
                drainOrClose();
                closeWriter(writer);
                return new UploadStatus(id, size(), started);
            } finally {
                hold.close();
            }
        }

        /** Ends the chunk and the upload: verifies the bytes have {@code digest} and makes the blob visible. */
        public Descriptor commit(Digest digest) throws IOException {
            requireOpen();
            requireDeclaredLength();
            ended = true;
            try {
                drainOrClose();
                long size = size();
                try {
                    writer.commit();
                } catch (IOException e) {
                    // What is on the disk may now differ from what we hashed: verify from storage next time.
                    store.hashes().forget(key(id));
                    throw store.unavailable(e);
                }
                return verifyAndLink(id, digest, size);
            } finally {
                hold.close();
            }
        }

        /**
         * Ends the chunk unless {@link #finish()} or {@link #commit} did: keeps the bytes that arrived (the upload
         * can be resumed from {@link Uploads#status}) and releases the upload.
         */
        @Override
        public void close() {
            if (ended) {
                return;
            }
            ended = true;
            try {
                sink.finish();
                writer.close();
            } catch (IOException | RuntimeException e) {
                // The data and the digest may disagree on where they end: drop the digest, catch up later.
                store.hashes().forget(key(id));
                try {
                    writer.close();
                } catch (IOException ignored) {
                    // the storage is failing; the client's resume will tell
                }
            } finally {
                hold.close();
            }
        }

        private void requireDeclaredLength() {
            if (declared >= 0 && sink.size() < declared) {
                throw refuse("the chunk ended after " + sink.size() + " of the " + declared
                        + " bytes its range declares");
            }
        }

        /**
         * Rolls the chunk back and ends it: nothing it took stays in the upload. Its bytes are in the running digest,
         * which is dropped; the next chunk catches up from storage. Returns the refusal to throw.
         */
        private RegistryException refuse(String why) {
            ended = true;
            try {
                try {
                    sink.discard();
                } catch (IOException | RuntimeException e) {
                    // the digest state is dropped next, whatever its hashing came to
                }
                store.hashes().forget(key(id));
                try {
                    writer.rollback();
                } catch (UnsupportedOperationException cannot) {
                    try {
                        writer.cancel();
                    } catch (IOException ignored) {
                        // the upload's folder goes next, with whatever the writer left
                    }
                    discard(id);
                    return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, why + "; this storage cannot take a"
                            + " chunk back, so upload " + id + " is discarded: start it again");
                } catch (IOException e) {
                    throw store.unavailable(e);
                }
                return new RegistryException(ErrorCode.RANGE_INVALID, why + "; nothing of it was kept: the upload"
                        + " holds " + start + " bytes, send the chunk again from there");
            } finally {
                hold.close();
            }
        }

        /**
         * Hands the last bytes to the writer; when that fails, closes the writer (keeping what it has) before
         * throwing, since the chunk has ended and nothing else would: a writer left open holds a file, and on S3 a
         * local buffer file and a multipart upload.
         */
        private void drainOrClose() throws IOException {
            try {
                sink.finish();
            } catch (IOException | RuntimeException e) {
                store.hashes().forget(key(id));
                try {
                    writer.close();
                } catch (IOException | RuntimeException ignored) {
                    // the first failure is the one to report
                }
                if (e instanceof HashingSink.WriteFailedException w) {
                    throw storageFailed(w);
                }
                throw e;
            }
        }

        private RegistryException storageFailed(HashingSink.WriteFailedException e) {
            store.hashes().forget(key(id));
            return store.unavailable(e.getCause());
        }

        private void requireOpen() {
            if (ended) {
                throw new IllegalStateException("chunk of upload " + id + " already ended");
            }
        }
    }

    private Descriptor verifyAndLink(String id, Digest digest, long size) {
        Digest actual = digestOf(id, digest.algorithm(), size);
        if (!actual.equals(digest)) {
            discard(id);
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "the uploaded content has digest " + actual + ", not " + digest + " (" + size + " bytes)");
        }
        String target = Layout.blobData(digest);
        store.touch(digest); // an online garbage collection must not delete the blob we find already there
        if (!store.exists(target)) {
            // Two commits of one blob may race here; both moves leave the same bytes, so either winner is fine.
            try {
                store.driver().move(Layout.uploadData(name, id), target);
            } catch (PathNotFoundException e) {
                // Another instance committed this very upload a moment ago: fine if the blob is there now.
                if (!store.exists(target)) {
                    throw unknown(id);
                }
            } catch (IOException e) {
                throw store.unavailable(e);
            }
        }
        blobs.link(digest);
        discard(id);
        return Descriptor.of(MediaTypes.OCTET_STREAM, digest, size);
    }

    /** A whole blob in one call: start, write, commit. */
    public Descriptor put(Digest digest, InputStream content) throws IOException {
        refusePush(name, proxy);
        return store(digest, content);
    }

    /** A blob fetched from the upstream, stored like a pushed one (verified, then visible). */
    Descriptor store(Digest digest, InputStream content) throws IOException {
        store.checkWritable();
        UploadStatus upload = begin();
        try {
            return commit(upload.id(), digest, content);
        } catch (IOException | RuntimeException e) {
            cancelQuietly(upload.id());
            throw e;
        }
    }

    /** Abandons an upload and frees its space; BLOB_UPLOAD_UNKNOWN when there is no such upload. */
    public void cancel(String id) {
        store.checkWritable();
        startedAt(id);
        RunningHashes.Hold hold = store.hashes().hold(key(id), HOLD_WAIT).orElseThrow(() -> new RegistryException(
                ErrorCode.BLOB_UPLOAD_INVALID, "another request is writing to upload " + id + "; retry later"));
        try {
            startedAt(id);
            discard(id);
        } finally {
            hold.close();
        }
    }

    private void cancelQuietly(String id) {
        try {
            cancel(id);
        } catch (RegistryException ignored) {
            // already gone, or storage failing: upload purging will collect it
        }
    }

    private void discard(String id) {
        store.hashes().forget(key(id));
        store.delete(Layout.uploadDir(name, id));
    }

    /**
     * The running digest of the first {@code size} bytes, reading from storage what this instance has not hashed
     * itself (all of it after a restart, the chunks another replica took otherwise).
     */
    private RunningHashes.State catchUp(String id, long size) {
        RunningHashes.State state = store.hashes().get(key(id));
        if (state == null || state.offset() > size || state.algorithm() != RUNNING_ALGORITHM) {
            state = store.hashes().start(key(id), RUNNING_ALGORITHM);
        }
        if (state.offset() < size) {
            hashFromStorage(id, state, size);
        }
        return state;
    }

    private void hashFromStorage(String id, RunningHashes.State state, long size) {
        store.io(() -> {
            try (InputStream in = store.driver().reader(Layout.uploadData(name, id), state.offset())) {
                byte[] buffer = new byte[BUFFER_SIZE];
                while (state.offset() < size) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - state.offset()));
                    if (n < 0) {
                        throw new IOException("upload data ended at " + state.offset() + " of " + size + " bytes");
                    }
                    state.update(buffer, 0, n);
                }
            }
            return null;
        });
    }

    private Digest digestOf(String id, Digest.Algorithm algorithm, long size) {
        RunningHashes.State state;
        if (algorithm == RUNNING_ALGORITHM) {
            state = catchUp(id, size);
        } else {
            state = new RunningHashes.State(algorithm);
            hashFromStorage(id, state, size);
        }
        store.hashes().forget(key(id));
        return state.finish();
    }

    private void closeWriter(StorageWriter writer) {
        try {
            writer.close();
        } catch (IOException e) {
            throw store.unavailable(e);
        }
    }

    /** When the upload started; BLOB_UPLOAD_UNKNOWN when there is no such upload (or the id is not one of ours). */
    private Instant startedAt(String id) {
        if (id == null || !UPLOAD_ID.matcher(id).matches()) {
            throw unknown(id);
        }
        Optional<byte[]> content = store.get(Layout.uploadStartedAt(name, id));
        if (content.isEmpty()) {
            throw unknown(id);
        }
        try {
            return OffsetDateTime.parse(new String(content.get(), StandardCharsets.US_ASCII).trim()).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH; // written by another tool; the upload is still usable
        }
    }

    private RegistryException unknown(String id) {
        // Only an id of our own shape is echoed: anything else is client text that has no place in a log line.
        String shown = id != null && UPLOAD_ID.matcher(id).matches() ? "'" + id + "'" : "with that id";
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "no upload " + shown + " in repository " + name);
    }

    private String key(String id) {
        return key(name, id);
    }

    /** The key of an upload's running digest and lock in {@link RunningHashes}. */
    static String key(RepositoryName repository, String id) {
        return repository.value() + "@" + id;
    }
}
