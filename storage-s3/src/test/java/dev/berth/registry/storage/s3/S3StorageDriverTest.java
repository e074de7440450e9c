package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.UploadPurgeReport;
import dev.berth.registry.model.Digest;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.testkit.StorageDriverKit;
import dev.berth.registry.testkit.UploadPurgeFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The whole kit on the s3 driver against a real S3 server (S3Proxy), under a root directory as deployments often use.
 * Each test gets a bucket of its own, so the kit's registry groups start empty and the driver's operations can be held
 * to leaving the whole bucket empty; the second replica is a second driver (its own client and connections) over the
 * same bucket.
 */
class S3StorageDriverTest extends StorageDriverKit {
    private static final String ROOT = "registry";
    private static final int MIB = 1 << 20;

    private String bucket;
    private Set<String> bufferFilesBefore;

    @Override
    protected StorageDriver createDriver() throws Exception {
        bufferFilesBefore = BufferFiles.named();
        bucket = S3ProxyServer.newBucket();
        return driver(bucket);
    }

    @Override
    protected StorageDriver createSecondDriver(StorageDriver first) {
        return driver(bucket);
    }

    private static StorageDriver driver(String bucket) {
        Map<String, Object> p = S3ProxyServer.parameters(bucket);
        p.put("rootdirectory", "/" + ROOT + "/");
        return new S3StorageDriverFactory().create(p);
    }

    /**
     * No object (tails included) and no multipart upload is left in the bucket, and no writer's buffer file in the
     * temporary folder.
     */
    @Override
    protected void assertNothingLeftBehind() throws Exception {
        assertThat(S3ProxyServer.admin().listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .as("objects left in the bucket").isEmpty();
        assertThat(S3ProxyServer.admin().listMultipartUploads(b -> b.bucket(bucket)).uploads())
                .as("multipart uploads left in the bucket").isEmpty();
        assertThat(BufferFiles.named()).as("writers' buffer files left in the temporary folder")
                .isEqualTo(bufferFilesBefore);
    }

    /**
     * What only S3 has: the incomplete multipart uploads that a writer which never closed (its process died) leaves
     * behind, invisible to listings, which the purge aborts.
     */
    @Nested
    class IncompleteMultipartUploads extends UploadPurgeFixture {
        private List<MultipartUpload> multipartUploads(String under) {
            return S3ProxyServer.admin().listMultipartUploads(r -> r.bucket(bucket).prefix(ROOT + under)).uploads();
        }

        /** A writer that uploads one whole part and is never closed, as when its process dies. */
        private void abandonWriter(String path) throws Exception {
            byte[] part = new byte[5 * MIB];
            new Random(7).nextBytes(part);
            StorageWriter dying = driver.writer(path, false);
            dying.write(part, 0, part.length);
            // no close, commit or cancel
        }

        @Test
        void abortsTheMultipartUploadsOfWritersThatNeverClosedOnceTheyAreOldEnough() throws Exception {
            // A move into the blob store that died half-way: its multipart copy is left, with no upload folder around it.
            String blob = "/docker/registry/v2/blobs/sha256/ab/" + Digest.sha256(new byte[] {1}).hex() + "/data";
            abandonWriter(blob);
            // Outside the registry's tree: not the purge's to clean.
            abandonWriter("/elsewhere/big-file");
            assertThat(multipartUploads("/")).hasSize(2);
            Instant initiated = multipartUploads("/docker/").get(0).initiated();
            assertThat(initiated).as("S3Proxy tells when a multipart upload was initiated").isNotNull();

            // Younger than the age: kept.
            UploadPurgeReport young = registry.purgeUploads(Duration.ofHours(1), false);
            assertThat(young.incompleteWritesAborted()).isZero();
            assertThat(multipartUploads("/")).hasSize(2);

            // A dry run reports no leftovers and aborts none.
            Registry dayLater = Registry.builder().storage(driver)
                    .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(1))).build();
            assertThat(dayLater.purgeUploads(Duration.ofHours(1), true).incompleteWritesAborted()).isZero();
            assertThat(multipartUploads("/")).hasSize(2);

            // A day later, it is abandoned: aborted; the one outside the registry's tree stays.
            UploadPurgeReport report = dayLater.purgeUploads(Duration.ofHours(1), false);
            assertThat(report.incompleteWritesAborted()).isEqualTo(1);
            assertThat(report.failed()).isZero();
            assertThat(multipartUploads("/docker/")).isEmpty();
            assertThat(multipartUploads("/elsewhere/")).hasSize(1);

            driver.delete("/elsewhere"); // aborts it, so that the bucket is left clean
            assertThat(multipartUploads("/")).isEmpty();
        }

        @Test
        void anAbandonedBlobUploadGoesWithItsMultipartUpload() throws Exception {
            String id = upload(tenDaysAgo, "lib/app", bytes("first chunk"));
            abandonWriter("/docker/registry/v2/repositories/lib/app/_uploads/" + id + "/data");
            assertThat(multipartUploads("/")).hasSize(1);

            UploadPurgeReport report = registry.purgeUploads(AGE, false);

            assertThat(report.purged()).extracting(UploadPurgeReport.PurgedUpload::id).containsExactly(id);
            assertThat(multipartUploads("/")).isEmpty();
            assertThat(snapshot()).isEmpty();
        }
    }
}
