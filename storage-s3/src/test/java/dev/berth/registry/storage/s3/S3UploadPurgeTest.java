package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.UploadPurgeReport;
import dev.berth.registry.model.Digest;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.testkit.UploadPurgeContract;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Upload purging over the s3 driver against S3Proxy, and what only S3 has: the incomplete multipart uploads that a
 * writer which never closed (its process died) leaves behind, invisible to listings, which the purge aborts.
 */
class S3UploadPurgeTest extends UploadPurgeContract {
    private static final String BUCKET = S3ProxyServer.newBucket();
    private static final int MIB = 1 << 20;
    private String root;

    @Override
    protected StorageDriver createDriver() {
        root = "purge-" + UUID.randomUUID();
        Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
        p.put("rootdirectory", root);
        return StorageDrivers.create("s3", p);
    }

    private List<MultipartUpload> multipartUploads(String under) {
        return S3ProxyServer.admin().listMultipartUploads(r -> r.bucket(BUCKET).prefix(root + under)).uploads();
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
