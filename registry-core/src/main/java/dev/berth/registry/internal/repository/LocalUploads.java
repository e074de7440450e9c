package dev.berth.registry.internal.repository;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.store.HashingSink;
import dev.berth.registry.internal.store.RunningHashes;
import dev.berth.registry.internal.store.Store;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Uploads;
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
 * The uploads of a repository in storage ({@code _uploads/<id>/}), with the running digests this instance keeps
 * ({@link RunningHashes}); see {@link Uploads} for what they promise.
 */
public final class LocalUploads implements Uploads {
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int BUFFER_SIZE = 1 << 20;
    /** The upload hash we keep running; a sha512 commit re-reads (rare: clients push sha256). */
    private static final Digest.Algorithm RUNNING_ALGORITHM = Digest.Algorithm.SHA256;

    private final Store store;
    private final RepositoryName name;
    private final LocalBlobs blobs;

    LocalUploads(Store store, RepositoryName name, LocalBlobs blobs) {
        this.store = store;
        this.name = name;
        this.blobs = blobs;
    }

    @Override
    public UploadStatus start() {
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

    @Override
    public UploadStatus status(String id) {
        Instant started = startedAt(id);
        long size = store.stat(Layout.uploadData(name, id)).map(FileInfo::size).orElse(0L);
        return new UploadStatus(id, size, started);
    }

    @Override
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
                return new LocalChunkWriter(id, started, hold, writer, size, length);
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

    /** One chunk of an upload, written to storage and to the upload's running digest as its bytes arrive. */
    private final class LocalChunkWriter implements ChunkWriter {
        private final String id;
        private final Instant started;
        private final RunningHashes.Hold hold;
        private final StorageWriter writer;
        private final HashingSink sink;
        private final long start;
        /** The bytes the client declared this chunk to hold, or -1. */
        private final long declared;
        private boolean ended;

        private LocalChunkWriter(String id, Instant started, RunningHashes.Hold hold, StorageWriter writer, long start,
                long declared) {
            this.id = id;
            this.started = started;
            this.hold = hold;
            this.writer = writer;
            this.start = start;
            this.declared = declared;
            this.sink = new HashingSink(writer, catchUp(id, start));
        }

        @Override
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

        @Override
        public void pause() throws IOException {
            requireOpen();
            try {
                sink.flush();
            } catch (HashingSink.WriteFailedException e) {
                throw storageFailed(e);
            }
        }

        @Override
        public long size() {
            return start + sink.size();
        }

        @Override
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

        @Override
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

    @Override
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
    public static String key(RepositoryName repository, String id) {
        return repository.value() + "@" + id;
    }
}
