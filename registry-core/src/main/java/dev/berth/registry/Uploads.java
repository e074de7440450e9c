package dev.berth.registry;

import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.proxy.PullThrough;
import dev.berth.registry.internal.store.HashingCopier;
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
import java.util.concurrent.locks.Lock;
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
                    + proxy.upstream().url() + "; push to a repository outside "
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
        store.checkWritable();
        Lock lock = store.hashes().lock(key(id));
        lock.lock();
        try {
            Instant started = startedAt(id);
            long size = write(id, expectedOffset, chunk, false);
            return new UploadStatus(id, size, started);
        } finally {
            lock.unlock();
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
        store.checkWritable();
        Lock lock = store.hashes().lock(key(id));
        lock.lock();
        try {
            startedAt(id);
            long size = write(id, expectedOffset, finalChunk, true);
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
        } finally {
            lock.unlock();
        }
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
        Lock lock = store.hashes().lock(key(id));
        lock.lock();
        try {
            startedAt(id);
            discard(id);
        } finally {
            lock.unlock();
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

    /** Writes a chunk; returns the upload's size after it. Commits the data when {@code commit} is set. */
    private long write(String id, long expectedOffset, InputStream chunk, boolean commit) throws IOException {
        String data = Layout.uploadData(name, id);
        StorageWriter writer;
        try {
            writer = store.driver().writer(data, true);
        } catch (PathNotFoundException e) {
            throw unknown(id);
        } catch (IOException e) {
            throw store.unavailable(e);
        }
        boolean done = false;
        try {
            long size = writer.size();
            if (expectedOffset >= 0 && expectedOffset != size) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, "chunk starts at byte " + expectedOffset
                        + " but the upload holds " + size + " bytes; continue at " + size);
            }
            if (chunk != null) {
                copy(id, chunk, writer, size);
            }
            long end = writer.size();
            if (commit) {
                try {
                    writer.commit();
                } catch (IOException e) {
                    // What is on the disk may now differ from what we hashed: verify from storage next time.
                    store.hashes().forget(key(id));
                    throw store.unavailable(e);
                }
            } else {
                closeWriter(writer);
            }
            done = true;
            return end;
        } finally {
            if (!done) {
                try {
                    writer.close(); // keep what arrived: the client can resume from status()
                } catch (IOException ignored) {
                    // the original failure matters more
                }
            }
        }
    }

    /** Streams the chunk into the writer, hashing on the way when this instance holds the running digest. */
    private void copy(String id, InputStream in, StorageWriter writer, long start) throws IOException {
        RunningHashes.State state = catchUp(id, start);
        try {
            HashingCopier.copy(in, writer, state);
        } catch (IOException | RuntimeException e) {
            // The data and the digest may now disagree on where they end: drop the digest, catch up later.
            store.hashes().forget(key(id));
            if (e instanceof HashingCopier.WriteFailedException w) {
                throw store.unavailable(w.getCause());
            }
            throw e;
        }
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
