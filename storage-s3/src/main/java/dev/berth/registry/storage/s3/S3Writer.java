package dev.berth.registry.storage.s3;

import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * One appendable object on S3 (see {@link S3StorageDriver} for the scheme): bytes wait in a local temporary file
 * until a whole part of {@code chunksize} is there, which goes to a multipart upload at once; close and commit both
 * complete the upload, so the object at the key always holds everything written up to the last close. A writer that
 * resumes such an object brings its bytes in as the first parts of a new multipart upload, with a server-side copy
 * (or, under 5 MiB, which S3 does not take as a part that is not the last, by reading them back into the buffer), and
 * only when it has something to add: a commit right after a resume costs nothing.
 *
 * <p>Not thread-safe (a writer is used by one thread at a time).
 */
final class S3Writer implements StorageWriter {
    private final S3StorageDriver driver;
    private final String path;
    private final String key;
    private final long chunkSize;
    /** The bytes of the part being gathered, in a file that has no name (see {@link #openBuffer}). */
    private final FileChannel buffer;
    private final List<CompletedPart> parts = new ArrayList<>();
    private String uploadId;
    /** Bytes already in the object at the key that are neither in a part nor in the buffer yet. */
    private long base;
    private long partsBytes;
    private long buffered;
    /** Whether the object at the key must be rewritten on close (new bytes, or a new empty object). */
    private boolean changed;
    /** A writer of new content (not a resume): what was at the key goes, whatever it writes. */
    private boolean fresh;
    private boolean done;

    private S3Writer(S3StorageDriver driver, String path) throws IOException {
        this.driver = driver;
        this.path = path;
        this.key = driver.key(path);
        this.chunkSize = driver.config().chunkSize();
        this.buffer = openBuffer();
    }

    /**
     * A temporary file in the system's temporary folder that is deleted however this writer ends: opened with
     * {@code DELETE_ON_CLOSE}, which on Linux and macOS unlinks the name at once (the space goes when the channel is
     * closed, or when the process dies, even by kill -9; a writer abandoned without being ended gives it back when its
     * channel is collected) and on Windows deletes the file when its last handle closes, which the OS also does for a
     * process that dies. So no path of this class, and no crash, leaves a {@value #BUFFER_PREFIX}... file behind.
     */
    static FileChannel openBuffer() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int attempt = 0; ; attempt++) {
            Path file = dir.resolve(BUFFER_PREFIX + UUID.randomUUID() + ".part");
            try {
                return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            } catch (FileAlreadyExistsException taken) {
                if (attempt >= 3) {
                    throw taken;
                }
            }
        }
    }

    /** How the temporary buffer files are named (while they have a name at all). */
    static final String BUFFER_PREFIX = "berth-s3-";

    /** A writer of new content; nothing is sent before the first whole part, a close or a commit. */
    static S3Writer create(S3StorageDriver driver, String path) throws IOException {
        S3Writer w = new S3Writer(driver, path);
        w.changed = true; // even an empty writer replaces what was there
        w.fresh = true;
        return w;
    }

    /** A writer that continues what an earlier writer (in any process) closed: one HEAD request. */
    static S3Writer resume(S3StorageDriver driver, String path) throws IOException {
        S3Writer w = new S3Writer(driver, path);
        try {
            HeadObjectResponse head = driver.call("writer", path,
                    () -> driver.client().headObject(b -> b.bucket(driver.bucket()).key(w.key)));
            w.base = head.contentLength();
            return w;
        } catch (PathNotFoundException e) {
            w.discardBuffer();
            PathNotFoundException notFound = new PathNotFoundException(path, "nothing to append to");
            notFound.initCause(e);
            throw notFound;
        } catch (IOException | RuntimeException e) {
            w.discardBuffer();
            throw e;
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int len) throws IOException {
        if (done) {
            throw new IOException("the writer for " + path + " is closed");
        }
        if (len == 0) {
            return;
        }
        if (base > 0 && base < S3Config.MIN_CHUNK_SIZE) {
            readBaseIntoBuffer();
        }
        while (len > 0) {
            int n = (int) Math.min(len, chunkSize - buffered);
            ByteBuffer b = ByteBuffer.wrap(bytes, offset, n);
            while (b.hasRemaining()) {
                buffer.write(b);
            }
            buffered += n;
            offset += n;
            len -= n;
            changed = true;
            if (buffered == chunkSize) {
                uploadPart();
            }
        }
    }

    /** Too small to be a part of its own, the existing content goes in front of the new bytes. */
    private void readBaseIntoBuffer() throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = driver.call("write", path,
                () -> driver.client().getObject(b -> b.bucket(driver.bucket()).key(key)));
                InputStream body = in) {
            byte[] chunk = new byte[64 << 10];
            long read = 0;
            int n;
            while ((n = body.read(chunk)) > 0) {
                buffer.write(ByteBuffer.wrap(chunk, 0, n));
                read += n;
            }
            if (read != base) {
                throw new IOException("the object at " + path + " changed while it was appended to (" + base
                        + " bytes at the start, " + read + " now)");
            }
        }
        buffered = base;
        base = 0;
    }

    private void startUpload() throws IOException {
        uploadId = driver.call("write", path,
                () -> driver.client().createMultipartUpload(driver.createMultipart(key)).uploadId());
        if (base > 0) { // at least 5 MiB here: copied on the server as the first parts
            parts.addAll(driver.copyParts(path, key, key, uploadId, base, 1));
            partsBytes = base;
            base = 0;
        }
    }

    private void uploadPart() throws IOException {
        if (uploadId == null) {
            startUpload();
        }
        int number = parts.isEmpty() ? 1 : parts.get(parts.size() - 1).partNumber() + 1;
        long length = buffered;
        String id = uploadId;
        String eTag = driver.call("write", path, () -> driver.client().uploadPart(b -> b.bucket(driver.bucket())
                .key(key).uploadId(id).partNumber(number).contentLength(length), bufferBody(length)).eTag());
        parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
        partsBytes += length;
        buffer.truncate(0);
        buffer.position(0);
        buffered = 0;
    }

    @Override
    public long size() {
        return base + partsBytes + buffered;
    }

    /** Makes the object at the key hold everything written so far. */
    private void finish(String operation) throws IOException {
        if (!changed) {
            return; // resumed, nothing added: the object is already complete
        }
        if (uploadId == null && base == 0) { // less than a part in all: one PUT
            // an empty file as a body fails now and then with HttpURLConnection; an empty array does not
            RequestBody body = buffered == 0 ? RequestBody.fromBytes(new byte[0]) : bufferBody(buffered);
            driver.call(operation, path, () -> driver.client().putObject(driver.put(key), body));
            return;
        }
        if (uploadId == null) {
            startUpload();
        }
        try {
            if (buffered > 0) {
                uploadPart(); // the last part may be smaller than 5 MiB
            }
            String id = uploadId;
            driver.call(operation, path, () -> driver.client().completeMultipartUpload(b -> b
                    .bucket(driver.bucket()).key(key).uploadId(id).multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException e) {
            driver.abortQuietly(key, uploadId); // the object keeps what the last close gave it
            throw e;
        }
    }

    @Override
    public void commit() throws IOException {
        if (done) {
            throw new IOException("the writer for " + path + " is already closed");
        }
        done = true;
        try {
            finish("commit");
        } finally {
            discardBuffer();
        }
    }

    @Override
    public void cancel() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (uploadId != null) {
                driver.abortQuietly(key, uploadId);
            }
            driver.call("cancel", path, () -> driver.client().deleteObject(b -> b.bucket(driver.bucket()).key(key)));
        } finally {
            discardBuffer();
        }
    }

    /**
     * Nothing reaches the key before a close or a commit, so the multipart upload of this writer's parts is aborted
     * and the key keeps what it had; a writer of new content leaves an empty object, as one that wrote nothing.
     */
    @Override
    public void rollback() throws IOException {
        if (done) {
            throw new IOException("the writer for " + path + " is already closed");
        }
        done = true;
        try {
            if (uploadId != null) {
                driver.abortQuietly(key, uploadId);
            }
            if (fresh) {
                driver.call("rollback", path, () -> driver.client().putObject(driver.put(key),
                        RequestBody.fromBytes(new byte[0])));
            }
        } finally {
            discardBuffer();
        }
    }

    /** Like commit on S3: a multipart upload cannot be read before it completes, and the core reads uploads back. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            finish("close");
        } finally {
            discardBuffer();
        }
    }

    /**
     * The first {@code length} bytes of the buffer as a request body. The SDK may read it more than once (a retry),
     * so each stream reads from the start, by position, and closing one leaves the channel open.
     */
    private RequestBody bufferBody(long length) {
        return RequestBody.fromContentProvider(() -> new InputStream() {
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position >= length) {
                    return -1;
                }
                int n = buffer.read(ByteBuffer.wrap(b, off, (int) Math.min(len, length - position)), position);
                if (n > 0) {
                    position += n;
                }
                return n;
            }
        }, length, "application/octet-stream");
    }

    /** Gives the buffer's space back (the file has no name to delete: see {@link #openBuffer}). */
    private void discardBuffer() {
        try {
            buffer.close();
        } catch (IOException ignored) {
            // nothing more can be done; the space goes with the process
        }
    }
}
