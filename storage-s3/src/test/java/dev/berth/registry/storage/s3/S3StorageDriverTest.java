package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.testkit.StorageDriverContract;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The whole driver kit against a real S3 server, under a root directory as deployments often use. */
class S3StorageDriverTest extends StorageDriverContract {
    private static final String BUCKET = S3ProxyServer.newBucket();

    private java.util.Set<String> bufferFilesBefore;

    @Override
    protected StorageDriver createDriver() throws Exception {
        bufferFilesBefore = BufferFiles.named();
        Map<String, Object> p = S3ProxyServer.parameters(BUCKET);
        p.put("rootdirectory", "/registry/");
        return StorageDrivers.create("s3", p);
    }

    /**
     * Besides the kit's check: no object (tails included) and no multipart upload is left in the bucket, and no
     * writer's buffer file in the temporary folder.
     */
    @Override
    protected void assertNothingLeftBehind() throws Exception {
        super.assertNothingLeftBehind();
        assertThat(S3ProxyServer.admin().listObjectsV2(b -> b.bucket(BUCKET)).contents()).extracting(S3Object::key)
                .as("objects left in the bucket").isEmpty();
        assertThat(S3ProxyServer.admin().listMultipartUploads(b -> b.bucket(BUCKET)).uploads())
                .as("multipart uploads left in the bucket").isEmpty();
        assertThat(BufferFiles.named()).as("writers' buffer files left in the temporary folder")
                .isEqualTo(bufferFilesBefore);
    }
}
