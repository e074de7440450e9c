package dev.berth.registry.storage.s3;

import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * One appendable object on S3: whole parts of {@code chunksize} go to a multipart upload as soon as they are full;
 * the rest waits in a local temporary file and, on {@link #close()}, in the tail object beside the key (see
 * {@link S3StorageDriver}). Not thread-safe (a writer is used by one thread at a time).
 */
final class S3Writer implements StorageWriter {
    private final S3StorageDriver driver;
    private final String path;
    private final String key;
    private final long chunkSize;
    private final Path bufferFile;
    private final FileChannel buffer;
    private final List<CompletedPart> parts = new ArrayList<>();
    private String uploadId;
    private long partsBytes;
    private long buffered;
    /** Whether a tail object exists (to delete it on commit, and to skip rewriting it unchanged on close). */
    private boolean tailStored;
    private boolean changed;
    private boolean done;

    private S3Writer(S3StorageDriver driver, String path) throws IOException {
        this.driver = driver;
        this.path = path;
        this.key = driver.key(path);
        this.chunkSize = driver.config().chunkSize();
        this.bufferFile = Files.createTempFile("berth-s3-", ".part");
        this.buffer = FileChannel.open(bufferFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A writer of new content; nothing is sent before the first whole part, a close or a commit. */
    static S3Writer create(S3StorageDriver driver, String path) throws IOException {
        S3Writer w = new S3Writer(driver, path);
        w.changed = true; // a closed empty writer must still leave something to append to
        return w;
    }

    /** A writer that continues what an earlier writer (in any process) closed. */
    static S3Writer resume(S3StorageDriver driver, String path) throws IOException {
        S3Writer w = new S3Writer(driver, path);
        try {
            w.load();
            return w;
        } catch (IOException | RuntimeException e) {
            w.discardBuffer();
            throw e;
        }
    }

    private void load() throws IOException {
        String tailKey = key + S3StorageDriver.TAIL_SUFFIX;
        Map<String, String> meta;
        try (ResponseInputStream<GetObjectResponse> tail = driver.call("writer", path,
                () -> driver.client().getObject(b -> b.bucket(driver.bucket()).key(tailKey)))) {
            meta = tail.response().metadata();
            try (InputStream in = tail) {
                byte[] chunk = new byte[64 << 10];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    buffer.write(ByteBuffer.wrap(chunk, 0, n));
                    buffered += n;
                }
            }
        } catch (PathNotFoundException e) {
            PathNotFoundException notFound = new PathNotFoundException(path, "no unfinished upload to append to");
            notFound.initCause(e);
            throw notFound;
        }
        tailStored = true;
        uploadId = meta.get(S3StorageDriver.META_UPLOAD_ID);
        long recorded = S3StorageDriver.partsBytes(meta.get(S3StorageDriver.META_PARTS_BYTES));
        if (uploadId == null || uploadId.isEmpty()) {
            uploadId = null;
            return;
        }
        Integer marker = null;
        do {
            Integer m = marker;
            ListPartsResponse page = driver.call("writer", path, () -> driver.client().listParts(b -> {
                b.bucket(driver.bucket()).key(key).uploadId(uploadId);
                if (m != null) {
                    b.partNumberMarker(m);
                }
            }));
            for (Part p : page.parts()) {
                parts.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build());
                partsBytes += p.size();
            }
            marker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextPartNumberMarker() : null;
        } while (marker != null);
        parts.sort(Comparator.comparing(CompletedPart::partNumber));
        if (partsBytes > recorded) {
            // A part was uploaded after the tail was written and the writer died before rewriting it. Every part
            // starts with the tail that was buffered before it, so the tail is inside the parts now.
            buffer.truncate(0);
            buffer.position(0);
            buffered = 0;
            changed = true;
        } else if (partsBytes < recorded) {
            throw new IOException("the upload of " + path + " lost parts: " + partsBytes + " bytes in parts, "
                    + recorded + " recorded");
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int len) throws IOException {
        if (done) {
            throw new IOException("the writer for " + path + " is closed");
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

    private void uploadPart() throws IOException {
        if (uploadId == null) {
            uploadId = driver.call("write", path,
                    () -> driver.client().createMultipartUpload(driver.createMultipart(key)).uploadId());
        }
        int number = parts.isEmpty() ? 1 : parts.get(parts.size() - 1).partNumber() + 1;
        long length = buffered;
        String eTag = driver.call("write", path, () -> driver.client().uploadPart(b -> b.bucket(driver.bucket())
                .key(key).uploadId(uploadId).partNumber(number).contentLength(length),
                RequestBody.fromFile(bufferFile)).eTag());
        parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
        partsBytes += length;
        buffer.truncate(0);
        buffer.position(0);
        buffered = 0;
    }

    @Override
    public long size() {
        return partsBytes + buffered;
    }

    @Override
    public void commit() throws IOException {
        if (done) {
            throw new IOException("the writer for " + path + " is already closed");
        }
        done = true;
        try {
            if (uploadId == null) {
                PutObjectRequest put = driver.put(key);
                driver.call("commit", path, () -> driver.client().putObject(put, RequestBody.fromFile(bufferFile)));
            } else {
                if (buffered > 0 || parts.isEmpty()) {
                    uploadPart(); // the last part may be smaller than 5 MiB
                }
                driver.call("commit", path, () -> driver.client().completeMultipartUpload(b -> b
                        .bucket(driver.bucket()).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
            }
            if (tailStored) {
                driver.call("commit", path, () -> driver.client().deleteObject(b -> b.bucket(driver.bucket())
                        .key(key + S3StorageDriver.TAIL_SUFFIX)));
            }
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
            List<ObjectIdentifier> doomed = List.of(ObjectIdentifier.builder().key(key).build(),
                    ObjectIdentifier.builder().key(key + S3StorageDriver.TAIL_SUFFIX).build());
            driver.call("cancel", path, () -> driver.client().deleteObjects(b -> b.bucket(driver.bucket())
                    .delete(Delete.builder().objects(doomed).quiet(true).build())));
        } finally {
            discardBuffer();
        }
    }

    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (changed || !tailStored) {
                PutObjectRequest put = driver.put(key + S3StorageDriver.TAIL_SUFFIX).toBuilder()
                        .metadata(uploadId == null ? Map.of(S3StorageDriver.META_PARTS_BYTES, "0")
                                : Map.of(S3StorageDriver.META_UPLOAD_ID, uploadId,
                                        S3StorageDriver.META_PARTS_BYTES, Long.toString(partsBytes)))
                        .storageClass((String) null).build();
                driver.call("close", path, () -> driver.client().putObject(put, RequestBody.fromFile(bufferFile)));
            }
        } finally {
            discardBuffer();
        }
    }

    private void discardBuffer() {
        try {
            buffer.close();
        } catch (IOException ignored) {
            // the file is deleted next
        }
        try {
            Files.deleteIfExists(bufferFile);
        } catch (IOException ignored) {
            bufferFile.toFile().deleteOnExit();
        }
    }
}
