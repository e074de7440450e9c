package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverException;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * What only S3 makes hard (beyond the kit, which already lists 1,100 keys, more than one S3 page): prefixes,
 * multipart uploads across instances, multipart copy, presigned URLs, credentials. */
class S3SpecificTest {
    private static final String BUCKET = S3ProxyServer.newBucket();
    private static final int MIB = 1 << 20;

    /** The S3 operations a driver sends, by name. */
    static final class Recorder implements ExecutionInterceptor {
        final ConcurrentLinkedQueue<String> operations = new ConcurrentLinkedQueue<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        }

        long count(String operation) {
            return operations.stream().filter(operation::equals).count();
        }
    }

    private static StorageDriver driver(String root, Map<String, Object> extra, Recorder recorder) {
        Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
        p.put("rootdirectory", root);
        p.putAll(extra);
        return CheckedStorageDriver.wrap(new S3StorageDriver(S3Config.parse(p), List.of(recorder)));
    }

    private static byte[] random(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void tagsThatArePrefixesOfOtherTagsAreListedAcrossPages() throws Exception {
        try (StorageDriver d = driver("prefixes", Map.of(), new Recorder())) {
            String tags = "/docker/registry/v2/repositories/app/_manifests/tags";
            for (String tag : List.of("v1", "v10", "v1.0", "v1-rc")) {
                d.putContent(tags + "/" + tag + "/current/link", new byte[] {1});
            }
            assertThat(d.list(tags)).containsExactlyInAnyOrder(tags + "/v1", tags + "/v10", tags + "/v1.0",
                    tags + "/v1-rc");
            assertThat(d.list(tags + "/v1")).containsExactly(tags + "/v1/current");
            d.delete(tags + "/v1");
            assertThat(d.list(tags)).containsExactlyInAnyOrder(tags + "/v10", tags + "/v1.0", tags + "/v1-rc");
            d.delete("/docker");
        }
    }

    @Test
    void aSecondDriverInstanceContinuesAMultipartUploadTheFirstStarted() throws Exception {
        String p = "/docker/registry/v2/repositories/app/_uploads/u1/data";
        byte[] a = random(7 * MIB, 1); // one whole 5 MiB part and 2 MiB more
        byte[] b = random(6 * MIB + 5, 2);
        byte[] c = random(3, 3);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        try (StorageDriver one = driver("resume", Map.of(), first);
                StorageDriver two = driver("resume", Map.of(), second)) {
            try (StorageWriter w = one.writer(p, false)) {
                w.write(a, 0, a.length);
            }
            assertThat(first.count("UploadPart")).as("parts of the first writer").isEqualTo(2);
            assertThat(two.stat(p).size()).as("what a closed writer left, seen by another instance")
                    .isEqualTo(a.length);
            try (InputStream in = two.reader(p, 6 * MIB)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(a, 6 * MIB, a.length));
            }
            try (StorageWriter w = two.writer(p, true)) {
                assertThat(w.size()).isEqualTo(a.length);
                w.write(b, 0, b.length);
            }
            assertThat(second.count("UploadPartCopy")).as("the first 7 MiB are copied on the server").isEqualTo(1);
            try (StorageWriter w = one.writer(p, true)) {
                assertThat(w.size()).isEqualTo(a.length + b.length);
                w.write(c, 0, c.length);
                w.commit();
            }
            assertThat(one.getContent(p)).isEqualTo(concat(a, b, c));

            // a resumed commit without new bytes sends nothing but the HEAD that finds the size
            second.operations.clear();
            try (StorageWriter w = two.writer(p, true)) {
                w.commit();
            }
            assertThat(second.operations).containsExactly("HeadObject");

            // a writer that dies after uploading a part leaves the object as it was, and an upload that delete aborts
            StorageWriter dying = one.writer(p, true);
            dying.write(b, 0, 5 * MIB);
            assertThat(S3ProxyServer.admin().listMultipartUploads(r -> r.bucket(BUCKET).prefix("resume/"))
                    .uploads()).hasSize(1);
            assertThat(two.stat(p).size()).isEqualTo(a.length + b.length + c.length);
            one.delete("/docker/registry/v2/repositories/app/_uploads");
            assertThat(S3ProxyServer.admin().listMultipartUploads(r -> r.bucket(BUCKET).prefix("resume/"))
                    .uploads()).as("abandoned multipart uploads after purging").isEmpty();
            assertThat(one.list("/")).isEmpty();
        }
    }

    @Test
    void aLargeMoveUsesAMultipartCopy() throws Exception {
        Recorder recorder = new Recorder();
        byte[] big = random(12 * MIB + 3, 4);
        try (StorageDriver d = driver("copy", Map.of("multipartcopythresholdsize", 5 * MIB,
                "multipartcopychunksize", 5 * MIB), recorder)) {
            d.putContent("/upload/data", big);
            d.putContent("/small", new byte[] {1, 2});
            d.move("/upload/data", "/blobs/data");
            assertThat(recorder.count("UploadPartCopy")).as("5 MiB, then the last 7 MiB in one part").isEqualTo(2);
            assertThat(recorder.count("CopyObject")).isZero();
            assertThat(d.getContent("/blobs/data")).isEqualTo(big);
            assertThat(d.list("/")).containsExactlyInAnyOrder("/blobs", "/small");
            d.move("/small", "/moved");
            assertThat(recorder.count("CopyObject")).as("below the threshold").isEqualTo(1);
            d.delete("/blobs");
            d.delete("/moved");
        }
        assertThat(S3ProxyServer.admin().listMultipartUploads(r -> r.bucket(BUCKET).prefix("copy/")).uploads())
                .isEmpty();
    }

    @Test
    void aPresignedRedirectServesTheBlobToAPlainHttpGet() throws Exception {
        byte[] content = random(300_000, 5);
        try (StorageDriver d = driver("presign", Map.of(), new Recorder())) {
            d.putContent("/blob/data", content);
            URI url = d.redirectUrl("/blob/data", Duration.ofMinutes(5)).orElseThrow();
            HttpURLConnection get = (HttpURLConnection) url.toURL().openConnection();
            assertThat(get.getResponseCode()).isEqualTo(200);
            try (InputStream in = get.getInputStream()) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            HttpURLConnection tampered = (HttpURLConnection) URI.create(url.toString().replace("blob/data",
                    "blob/other")).toURL().openConnection();
            assertThat(tampered.getResponseCode()).as("the signature covers the key").isEqualTo(403);
            d.delete("/blob");
        }
    }

    @Test
    void wrongCredentialsAreAClearErrorAndTheRegistryAnswersUnavailable() throws Exception {
        try (StorageDriver d = driver("creds", Map.of("secretkey", "not-the-secret"), new Recorder())) {
            assertThatThrownBy(() -> d.putContent("/x", new byte[1])).isInstanceOf(StorageDriverException.class)
                    .hasMessageContaining("s3").hasMessageContaining("403")
                    .hasMessageContaining("check accesskey/secretkey").hasMessageNotContaining("not-the-secret");
            try (Registry registry = Registry.builder().storage(d).build()) {
                assertThatThrownBy(() -> registry.repository("a/b").uploads().start())
                        .isInstanceOfSatisfying(RegistryException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            }
        }
    }

    @Test
    void anUnreachableServerIsAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (StorageDriver d = driver("gone", Map.of("regionendpoint", "http://127.0.0.1:" + port), new Recorder())) {
            assertThatThrownBy(() -> d.getContent("/x")).isInstanceOf(StorageDriverException.class)
                    .hasMessageContaining("cannot reach S3 at http://127.0.0.1:" + port);
        }
    }

    @Test
    void parametersAreCheckedAndSecretsAreNeverShown() {
        Map<String, Object> p = S3ProxyServer.parameters("some-bucket");
        p.put("rootdir", "x");
        assertThatThrownBy(() -> StorageDrivers.create("s3", p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rootdir").hasMessageContaining("rootdirectory");
        p.remove("rootdir");
        p.put("chunksize", 5 * MIB - 1);
        assertThatThrownBy(() -> StorageDrivers.create("s3", p)).hasMessageContaining("chunksize");
        p.put("chunksize", "6291456");
        p.put("v4auth", false);
        assertThatThrownBy(() -> StorageDrivers.create("s3", p)).hasMessageContaining("v4auth");
        p.put("v4auth", "true");
        p.put("forcepathstyle", "maybe");
        assertThatThrownBy(() -> StorageDrivers.create("s3", p)).hasMessageContaining("forcepathstyle");
        p.put("forcepathstyle", "true");
        p.remove("bucket");
        assertThatThrownBy(() -> StorageDrivers.create("s3", p)).hasMessageContaining("bucket");
        p.put("bucket", "b");
        p.remove("secretkey");
        assertThatThrownBy(() -> StorageDrivers.create("s3", p)).hasMessageContaining("secretkey");
        p.put("secretkey", S3ProxyServer.SECRET_KEY);
        p.put("storageclass", "none");
        S3Config config = S3Config.parse(p);
        assertThat(config.chunkSize()).isEqualTo(6 * MIB);
        assertThat(config.storageClass()).isEmpty();
        assertThat(config.toString()).doesNotContain(S3ProxyServer.SECRET_KEY).doesNotContain(S3ProxyServer.ACCESS_KEY)
                .contains("bucket=b");
        assertThat(S3Config.parse(Map.of("bucket", "b", "regionendpoint", "minio:9000", "secure", false))
                .regionEndpoint()).contains(URI.create("http://minio:9000"));
        assertThat(S3Config.parse(Map.of("bucket", "b", "region", "eu-west-1", "secure", "false")).regionEndpoint())
                .contains(URI.create("http://s3.eu-west-1.amazonaws.com"));
        assertThat(S3Config.parse(Map.of("bucket", "b")).regionEndpoint()).as("AWS, https").isEmpty();
        assertThat(StorageDrivers.names()).contains("s3");
    }
}
