package dev.berth.registry.storage.s3;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3Proxy (in-memory backend, real signature checks) for the whole test JVM, started on first use on a free
 * port. Each caller gets a bucket of its own, so test classes do not see each other's objects.
 */
final class S3ProxyServer {
    static final String ACCESS_KEY = "berth-access";
    static final String SECRET_KEY = "berth-secret-key-0123456789";
    private static S3Proxy proxy;
    private static URI endpoint;
    private static S3Client admin;

    private S3ProxyServer() {
    }

    static synchronized URI endpoint() {
        if (proxy == null) {
            try {
                S3Proxy p = S3Proxy.builder().blobStore(blobStore())
                        .endpoint(URI.create("http://127.0.0.1:0"))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .build();
                p.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!"STARTED".equals(p.getState())) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("S3Proxy is " + p.getState() + " after 30 s");
                    }
                    Thread.sleep(20);
                }
                proxy = p;
                endpoint = URI.create("http://127.0.0.1:" + p.getPort());
                admin = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                        .httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException("S3Proxy did not start", e);
            }
        }
        return endpoint;
    }

    /**
     * The in-memory backend; {@code -Ds3proxy.backend=filesystem} picks the filesystem one under a temporary folder
     * (for big blobs, which would fill the heap).
     */
    private static BlobStore blobStore() throws IOException {
        if (!"filesystem".equals(System.getProperty("s3proxy.backend"))) {
            return new TransientNio2BlobStore();
        }
        Path dir = Files.createTempDirectory("berth-s3proxy-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir.toFile())));
        return new FilesystemNio2BlobStore(dir.toString());
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }

    /** A client with full access, to look at the bucket behind the driver's back. */
    static S3Client admin() {
        endpoint();
        return admin;
    }

    /** A new empty bucket. */
    static String newBucket() {
        String bucket = "berth-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin().createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** The driver's parameters for {@code bucket} on this server, with the smallest part size S3 allows. */
    static Map<String, Object> parameters(String bucket) {
        Map<String, Object> p = new HashMap<>();
        p.put("accesskey", ACCESS_KEY);
        p.put("secretkey", SECRET_KEY);
        p.put("region", "us-east-1");
        p.put("regionendpoint", endpoint().toString());
        p.put("forcepathstyle", true);
        p.put("bucket", bucket);
        p.put("chunksize", 5 << 20);
        return p;
    }
}
