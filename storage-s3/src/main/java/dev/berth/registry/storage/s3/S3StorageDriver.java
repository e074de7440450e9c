package dev.berth.registry.storage.s3;

import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverException;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The {@code s3} driver: every storage path is an object key in one bucket (under {@code rootdirectory}), exactly as
 * distribution's s3 driver lays them out, so a bucket written by {@code registry:2} is served as it is.
 *
 * <p><b>Appendable writers</b> are multipart uploads: bytes are buffered in a local temporary file (never in heap)
 * and each whole part of {@code chunksize} is uploaded as soon as it is there. Closing a writer completes its upload,
 * so that what it wrote is an ordinary object at the key, readable and of a known size for any replica: the core
 * reads an unfinished blob upload back to catch up its digest when another replica took the previous chunk, and S3
 * cannot read the parts of an upload before it completes. A writer that resumes the object starts a new multipart
 * upload whose first parts are a server-side copy of the object (S3 takes a part smaller than 5 MiB only as the last
 * one, so an object smaller than that is read back into the buffer instead), and does so only once it has bytes to
 * add. Commit completes the upload; cancel aborts it and deletes the object. A writer that dies leaves the object as
 * its last close left it, and a multipart upload that nobody will complete, which {@code delete} of any path above
 * it aborts (that is how purging old blob uploads cleans them), and {@link #purgeIncompleteWrites} too once it is old
 * (for those no upload folder holds, such as a multipart copy into the blob store that died).
 *
 * <p>Thread-safe: the SDK client is, and a writer is used by one thread at a time.
 */
public final class S3StorageDriver implements StorageDriver {
    public static final String NAME = "s3";

    private static final Logger LOG = LoggerFactory.getLogger(S3StorageDriver.class);
    private static final int DELETE_BATCH = 1000;
    private static final int MAX_ATTEMPTS = 8;
    private static final Duration MAX_PRESIGN = Duration.ofDays(7);

    /** How long a health check may take, connecting included. */
    static final long HEALTH_SECONDS = 3;
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(HEALTH_SECONDS);

    private final S3Config config;
    private final S3Client s3;
    /** The client of {@link #checkHealth}: one attempt, short timeouts. */
    private final S3Client health;
    private final S3Presigner presigner;
    private final String bucket;
    /** The key prefix of the root: {@code ""} or {@code "rootdirectory/"}. */
    private final String rootPrefix;

    public S3StorageDriver(S3Config config) {
        this(config, List.of());
    }

    /** A driver whose client also runs {@code interceptors} (tests count or inspect requests with them). */
    S3StorageDriver(S3Config config, List<ExecutionInterceptor> interceptors) {
        this.config = config;
        this.bucket = config.bucket();
        this.rootPrefix = config.rootDirectory().isEmpty() ? "" : config.rootDirectory() + "/";
        AwsCredentialsProvider credentials = credentials(config);
        // Standard mode: exponential backoff with jitter on throttling, 5xx and I/O errors. More attempts than its
        // default 3: the JDK keeps up to 5 idle connections per server, and a PUT on one the server has closed
        // meanwhile fails at once (HttpURLConnection retries only idempotent reads).
        this.s3 = client(config, credentials, interceptors, MAX_ATTEMPTS, Duration.ofSeconds(10),
                Duration.ofSeconds(60), null);
        // Health checks ask once and wait briefly: retrying with backoff would tell a load balancer late that S3 is
        // gone, and the next poll asks again anyway.
        this.health = client(config, credentials, interceptors, 1, HEALTH_TIMEOUT, HEALTH_TIMEOUT, HEALTH_TIMEOUT);
        S3Presigner.Builder presign = S3Presigner.builder().region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.forcePathStyle()).build());
        config.regionEndpoint().ifPresent(presign::endpointOverride);
        this.presigner = presign.build();
        LOG.info("s3 storage: {}", config);
    }

    private static S3Client client(S3Config config, AwsCredentialsProvider credentials,
            List<ExecutionInterceptor> interceptors, int attempts, Duration connect, Duration socket,
            Duration perCall) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(connect).socketTimeout(socket).build())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.forcePathStyle())
                // HttpURLConnection waits for "100 Continue" before every body, which costs a round trip per PUT
                .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(false).build())
                // S3-compatible servers do not all know the flexible checksums the SDK sends by default.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.standardRetryStrategy()
                            .toBuilder().maxAttempts(attempts).build());
                    if (perCall != null) {
                        o.apiCallTimeout(perCall);
                    }
                    interceptors.forEach(o::addExecutionInterceptor);
                });
        config.regionEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Config config) {
        if (config.accessKey().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        String access = config.accessKey().get();
        String secret = config.secretKey().orElseThrow();
        return StaticCredentialsProvider.create(config.sessionToken()
                .<AwsCredentials>map(
                        t -> AwsSessionCredentials.create(access, secret, t))
                .orElseGet(() -> AwsBasicCredentials.create(access, secret)));
    }

    /** The validated configuration (its {@code toString} masks the secrets). */
    public S3Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // keys

    String key(String path) {
        return path.equals("/") ? rootPrefix : rootPrefix + path.substring(1);
    }

    /** The prefix of everything below {@code path}. */
    private String dirPrefix(String path) {
        return path.equals("/") ? rootPrefix : key(path) + "/";
    }

    private String pathOf(String key) {
        return "/" + key.substring(rootPrefix.length());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // reads

    @Override
    public byte[] getContent(String path) throws IOException {
        return call("getContent", path, () -> s3.getObject(b -> b.bucket(bucket).key(key(path)),
                ResponseTransformer.toBytes()).asByteArray());
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        try {
            ResponseInputStream<GetObjectResponse> response = call("reader", path, () -> s3.getObject(b -> {
                b.bucket(bucket).key(key(path));
                if (offset > 0) {
                    b.range("bytes=" + offset + "-");
                }
            }));
            return new FilterInputStream(response) {
                private boolean atEnd;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    atEnd |= b < 0;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    atEnd |= n < 0;
                    return n;
                }

                @Override
                public void close() throws IOException {
                    if (!atEnd) {
                        response.abort(); // do not drain the rest of a big object just to reuse the connection
                    }
                    super.close();
                }
            };
        } catch (S3RangeException unsatisfiable) {
            long size = stat(path).size();
            if (offset == size) {
                return InputStream.nullInputStream();
            }
            throw new InvalidOffsetException(path, offset);
        }
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        if (path.equals("/")) {
            return FileInfo.directory(path, Instant.EPOCH);
        }
        try {
            HeadObjectResponse head = call("stat", path, () -> s3.headObject(b -> b.bucket(bucket).key(key(path))));
            return FileInfo.file(path, head.contentLength(), head.lastModified());
        } catch (PathNotFoundException notAnObject) {
            ListObjectsV2Response below = call("stat", path, () -> s3.listObjectsV2(b -> b.bucket(bucket)
                    .prefix(dirPrefix(path)).maxKeys(1)));
            if (below.contents().isEmpty()) {
                throw notAnObject;
            }
            return FileInfo.directory(path, below.contents().get(0).lastModified());
        }
    }

    @Override
    public List<String> list(String path) throws IOException {
        String prefix = dirPrefix(path);
        Set<String> children = new LinkedHashSet<>();
        for (ListObjectsV2Response page : listPages("list", path, b -> b.prefix(prefix).delimiter("/"))) {
            for (CommonPrefix p : page.commonPrefixes()) {
                String dir = p.prefix().substring(0, p.prefix().length() - 1);
                if (dir.length() > prefix.length()) { // S3 would give "a//" a prefix of its own; no path has one
                    children.add(pathOf(dir));
                }
            }
            for (S3Object o : page.contents()) {
                String name = o.key().substring(prefix.length());
                if (!name.isEmpty()) {
                    children.add(path.equals("/") ? "/" + name : path + "/" + name);
                }
            }
        }
        if (children.isEmpty() && !path.equals("/")) {
            throw new PathNotFoundException(path);
        }
        return new ArrayList<>(children);
    }

    /** Every page of a listing of the bucket (S3 gives at most 1,000 keys a page). */
    private List<ListObjectsV2Response> listPages(String operation, String path,
            Consumer<ListObjectsV2Request.Builder> request) throws IOException {
        List<ListObjectsV2Response> pages = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = call(operation, path, () -> s3.listObjectsV2(b -> {
                b.bucket(bucket);
                request.accept(b);
                if (continuation != null) {
                    b.continuationToken(continuation);
                }
            }));
            pages.add(page);
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return pages;
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        String prefix = dirPrefix(path);
        boolean any = false;
        for (ListObjectsV2Response page : listPages("walk", path, b -> b.prefix(prefix))) {
            for (S3Object o : page.contents()) {
                String key = o.key();
                if (key.length() == prefix.length()) {
                    continue; // a "folder" object some S3 consoles create
                }
                any = true;
                visitor.visit(FileInfo.file(pathOf(key), o.size(), o.lastModified()));
            }
        }
        if (!any) {
            throw new PathNotFoundException(path);
        }
    }

    @Override
    public Optional<URI> redirectUrl(String path, Duration validity) throws IOException {
        Duration d = validity.compareTo(MAX_PRESIGN) > 0 ? MAX_PRESIGN
                : validity.isNegative() || validity.isZero() ? Duration.ofSeconds(1) : validity;
        return Optional.of(call("redirectUrl", path, () -> presigner.presignGetObject(b -> b.signatureDuration(d)
                .getObjectRequest(g -> g.bucket(bucket).key(key(path)))).url().toURI()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writes

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        call("putContent", path, () -> s3.putObject(put(key(path)), RequestBody.fromBytes(content)));
    }

    PutObjectRequest put(String key) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(bucket).key(key);
        if (config.encrypt()) {
            b.serverSideEncryption(ServerSideEncryption.AES256);
        }
        config.storageClass().ifPresent(b::storageClass);
        return b.build();
    }

    CreateMultipartUploadRequest createMultipart(String key) {
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(bucket).key(key);
        if (config.encrypt()) {
            b.serverSideEncryption(ServerSideEncryption.AES256);
        }
        config.storageClass().ifPresent(b::storageClass);
        return b.build();
    }

    @Override
    public StorageWriter writer(String path, boolean append) throws IOException {
        return append ? S3Writer.resume(this, path) : S3Writer.create(this, path);
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        String source = key(sourcePath);
        String dest = key(destPath);
        HeadObjectResponse head = call("move", sourcePath, () -> s3.headObject(b -> b.bucket(bucket).key(source)));
        if (source.equals(dest)) {
            return;
        }
        long size = head.contentLength();
        if (size > config.multipartCopyThresholdSize()) {
            multipartCopy(sourcePath, source, dest, size);
        } else {
            call("move", sourcePath, () -> s3.copyObject(copy(source, dest)));
        }
        call("move", sourcePath, () -> s3.deleteObject(b -> b.bucket(bucket).key(source)));
    }

    private CopyObjectRequest copy(String source, String dest) {
        CopyObjectRequest.Builder b = CopyObjectRequest.builder().sourceBucket(bucket).sourceKey(source)
                .destinationBucket(bucket).destinationKey(dest);
        if (config.encrypt()) {
            b.serverSideEncryption(ServerSideEncryption.AES256);
        }
        config.storageClass().ifPresent(b::storageClass);
        return b.build();
    }

    /** S3's single CopyObject stops at 5 GiB, so big objects are copied a range per part. */
    private void multipartCopy(String sourcePath, String source, String dest, long size) throws IOException {
        String uploadId = call("move", sourcePath, () -> s3.createMultipartUpload(createMultipart(dest)).uploadId());
        try {
            List<CompletedPart> parts = copyParts(sourcePath, source, dest, uploadId, size, 1);
            call("move", sourcePath, () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(dest)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException e) {
            abortQuietly(dest, uploadId);
            throw e;
        }
    }

    /**
     * Copies the first {@code size} bytes of {@code source} on the server as parts {@code firstPart}, ... of an
     * upload to {@code dest}: pieces of {@code multipartcopychunksize}, the last one merged into the one before when
     * it would be under 5 MiB (only an upload's last part may be that small, and more parts may follow these).
     */
    List<CompletedPart> copyParts(String path, String source, String dest, String uploadId, long size, int firstPart)
            throws IOException {
        long chunk = Math.min(config.multipartCopyChunkSize(), S3Config.MAX_PART_SIZE - S3Config.MIN_CHUNK_SIZE);
        List<CompletedPart> parts = new ArrayList<>();
        for (long from = 0; from < size; ) {
            long to = Math.min(size, from + chunk);
            if (size - to < S3Config.MIN_CHUNK_SIZE) {
                to = size;
            }
            int number = firstPart + parts.size();
            String range = "bytes=" + from + "-" + (to - 1);
            UploadPartCopyResponse r = call("copy", path, () -> s3.uploadPartCopy(b -> b
                    .sourceBucket(bucket).sourceKey(source).destinationBucket(bucket).destinationKey(dest)
                    .uploadId(uploadId).partNumber(number).copySourceRange(range)));
            parts.add(CompletedPart.builder().partNumber(number).eTag(r.copyPartResult().eTag()).build());
            from = to;
        }
        return parts;
    }

    void abortQuietly(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            LOG.warn("s3: could not abort multipart upload {} of {}: {}", uploadId, key, e.toString());
        }
    }

    @Override
    public void delete(String path) throws IOException {
        String key = key(path);
        boolean all = path.equals("/");
        List<String> doomed = new ArrayList<>();
        for (ListObjectsV2Response page : listPages("delete", path, b -> b.prefix(all ? rootPrefix : key))) {
            for (S3Object o : page.contents()) {
                if (all || covers(key, o.key())) {
                    doomed.add(o.key());
                }
            }
        }
        for (int i = 0; i < doomed.size(); i += DELETE_BATCH) {
            List<ObjectIdentifier> batch = doomed.subList(i, Math.min(doomed.size(), i + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            DeleteObjectsResponse r = call("delete", path, () -> s3.deleteObjects(b -> b.bucket(bucket)
                    .delete(Delete.builder().objects(batch).quiet(true).build())));
            if (!r.errors().isEmpty()) {
                throw new StorageDriverException(NAME, "could not delete " + r.errors().size() + " object(s) under "
                        + path + ", first: " + r.errors().get(0).key() + ": " + r.errors().get(0).message(), null);
            }
        }
        // Multipart uploads (unfinished blob uploads, abandoned or not) are invisible to listings; abort them too,
        // or they would be billed forever. This is what purging old uploads relies on.
        boolean aborted = abortUploadsUnder("delete", path, all ? rootPrefix : key, all, null) > 0;
        if (doomed.isEmpty() && !aborted) {
            throw new PathNotFoundException(path);
        }
    }

    /** The object {@code key} itself and everything below it; not its siblings ({@code key-2}, {@code keyx}). */
    private static boolean covers(String key, String candidate) {
        return candidate.equals(key) || candidate.startsWith(key) && candidate.charAt(key.length()) == '/';
    }

    /**
     * Aborts the incomplete multipart uploads below {@code path} that were initiated before {@code startedBefore}:
     * what writers that never closed (their process died) left, invisible to listings and billed until aborted.
     * Writers of this driver live only as long as one request, so an upload older than that is abandoned. One
     * ListMultipartUploads per 1,000 uploads, one AbortMultipartUpload each.
     */
    @Override
    public int purgeIncompleteWrites(String path, Instant startedBefore) throws IOException {
        boolean all = path.equals("/");
        int aborted = abortUploadsUnder("purgeIncompleteWrites", path, all ? rootPrefix : key(path), all,
                startedBefore);
        if (aborted > 0) {
            LOG.info("s3: aborted {} incomplete multipart upload(s) under {} initiated before {}", aborted, path,
                    startedBefore);
        }
        return aborted;
    }

    /** Aborts the multipart uploads under a key (all of them, or those initiated before {@code before}); a count. */
    private int abortUploadsUnder(String operation, String path, String prefix, boolean all, Instant before)
            throws IOException {
        int any = 0;
        String keyMarker = null;
        String uploadMarker = null;
        do {
            String k = keyMarker;
            String u = uploadMarker;
            ListMultipartUploadsResponse page;
            try {
                page = call(operation, path, () -> s3.listMultipartUploads(b -> {
                    b.bucket(bucket).prefix(prefix);
                    if (k != null) {
                        b.keyMarker(k).uploadIdMarker(u);
                    }
                }));
            } catch (PathNotFoundException e) {
                return any;
            }
            for (MultipartUpload upload : page.uploads()) {
                boolean old = before == null || upload.initiated() != null && upload.initiated().isBefore(before);
                if ((all || covers(prefix, upload.key())) && old) {
                    try {
                        call(operation, path, () -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key())
                                .uploadId(upload.uploadId())));
                        any++;
                    } catch (PathNotFoundException finished) {
                        // completed or aborted by its writer (or another purge) since the listing
                    }
                }
            }
            boolean more = Boolean.TRUE.equals(page.isTruncated());
            keyMarker = more ? page.nextKeyMarker() : null;
            uploadMarker = more ? page.nextUploadIdMarker() : null;
        } while (keyMarker != null);
        return any;
    }

    /**
     * One real request, whatever the store holds: a ListObjectsV2 of at most one key under the root prefix, which
     * needs what the driver needs anyway (the bucket exists, the credentials are good, the listing is allowed). One
     * attempt, bounded by {@value #HEALTH_SECONDS} seconds, connecting included. It does not write, even with
     * {@code writable}: a PUT and a DELETE every few seconds would cost money, and S3 that lists but refuses writes
     * is a matter of its policy, which a health check cannot fix.
     */
    @Override
    public void checkHealth(boolean writable) throws IOException {
        call("checkHealth", "/", () -> health.listObjectsV2(b -> b.bucket(bucket).prefix(rootPrefix).maxKeys(1)));
    }

    @Override
    public void close() {
        presigner.close();
        try {
            health.close();
        } finally {
            s3.close();
        }
    }

    S3Client client() {
        return s3;
    }

    String bucket() {
        return bucket;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // errors

    /** An SDK call whose exceptions become the SPI's. */
    @FunctionalInterface
    interface SdkCall<T> {
        T run() throws Exception;
    }

    /** Thrown inside {@link #reader} for HTTP 416, which there means "at or past the end". */
    private static final class S3RangeException extends IOException {
        private static final long serialVersionUID = 1L;

        S3RangeException() {
            super("range not satisfiable");
        }
    }

    <T> T call(String operation, String path, SdkCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (S3Exception e) {
            throw translate(operation, path, e);
        } catch (SdkClientException e) {
            throw new StorageDriverException(NAME, operation + " " + path + ": cannot reach S3 at "
                    + config.regionEndpoint().map(URI::toString).orElse("AWS region " + config.region())
                    + " (bucket " + bucket + "): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw e instanceof IOException io ? io : new StorageDriverException(NAME, operation + " " + path + ": " + e, e);
        } catch (Exception e) {
            throw new StorageDriverException(NAME, operation + " " + path + ": " + e, e);
        }
    }

    private IOException translate(String operation, String path, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        if ("NoSuchBucket".equals(code)) {
            return new StorageDriverException(NAME, operation + " " + path + ": bucket " + bucket
                    + " does not exist", e);
        }
        if (status == 404 || "NoSuchKey".equals(code) || "NoSuchUpload".equals(code)) {
            PathNotFoundException notFound = new PathNotFoundException(path);
            notFound.initCause(e);
            return notFound;
        }
        if (status == 416 || "InvalidRange".equals(code)) {
            return new S3RangeException();
        }
        if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
            return new StorageDriverException(NAME, operation + " " + path + ": S3 refused the request to bucket "
                    + bucket + " (" + status + (code == null ? "" : " " + code)
                    + "): check accesskey/secretkey and the bucket's policy", e);
        }
        return new StorageDriverException(NAME, operation + " " + path + ": S3 answered " + status
                + (code == null ? "" : " " + code) + ": " + e.getMessage(), e);
    }
}
