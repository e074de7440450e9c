package dev.berth.registry.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.Test;

/**
 * The driver's health check is a real request to S3 (the old {@code stat("/")} was answered without one, so a
 * registry whose S3 was gone called itself healthy while every request failed): it fails when the S3 server is
 * stopped, in bounded time, and passes again when the server is back.
 */
class S3HealthTest {

    private static Registry registry(Map<String, Object> parameters, Duration cacheFor, S3SpecificTest.Recorder r) {
        return Registry.builder().storage(new S3StorageDriver(S3Config.parse(parameters), List.of(r)))
                .healthChecks(cacheFor, Duration.ofSeconds(30)).build();
    }

    @Test
    void theCheckIsOneListingOfAtMostOneKeyAndItsResultIsKeptForThePeriod() throws Exception {
        String bucket = S3ProxyServer.newBucket();
        S3SpecificTest.Recorder uncached = new S3SpecificTest.Recorder();
        try (Registry each = registry(S3ProxyServer.parameters(bucket), Duration.ZERO, uncached)) {
            each.checkStorage();
            each.checkStorage();
        }
        assertThat(uncached.operations).containsExactly("ListObjectsV2", "ListObjectsV2");

        S3SpecificTest.Recorder cached = new S3SpecificTest.Recorder();
        try (Registry period = registry(S3ProxyServer.parameters(bucket), Duration.ofMinutes(1), cached)) {
            for (int i = 0; i < 10; i++) {
                period.checkStorage();
            }
        }
        assertThat(cached.operations).as("ten polls in the period").containsExactly("ListObjectsV2");
    }

    @Test
    void healthFailsWhileTheS3ServerIsStoppedAndRecoversWhenItIsBack() throws Exception {
        BlobStore store = new TransientNio2BlobStore(); // kept across the restart, as a real server keeps its disk
        S3Proxy first = startS3(store, 0);
        int port = first.getPort();
        S3Proxy second = null;
        Map<String, Object> p = S3ProxyServer.parameters("health");
        p.put("regionendpoint", "http://127.0.0.1:" + port);
        store.createContainer("health");
        try (Registry registry = registry(p, Duration.ZERO, new S3SpecificTest.Recorder())) {
            assertThatCode(registry::checkStorage).doesNotThrowAnyException();

            first.stop();
            awaitState(first, "STOPPED");
            long t0 = System.nanoTime();
            assertThatThrownBy(registry::checkStorage)
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("storage driver 's3' is unhealthy")
                    .hasMessageContaining("cannot reach S3 at http://127.0.0.1:" + port)
                    .hasMessageNotContaining(S3ProxyServer.SECRET_KEY)
                    .hasMessageNotContaining(S3ProxyServer.ACCESS_KEY);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("one attempt, no retries with backoff")
                    .isLessThan(S3StorageDriver.HEALTH_TIMEOUT.plusSeconds(2));

            second = startS3(store, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try {
                    registry.checkStorage();
                    break;
                } catch (RegistryException notYet) {
                    assertThat(System.nanoTime()).as("healthy again once S3 is back: " + notYet.getMessage())
                            .isLessThan(deadline);
                }
            }
        } finally {
            if (second != null) {
                second.stop();
            }
            if (!"STOPPED".equals(first.getState())) {
                first.stop();
            }
        }
    }

    @Test
    void aServerThatIsNotThereFailsAtOnce() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, Object> p = S3ProxyServer.parameters("any");
        p.put("regionendpoint", "http://127.0.0.1:" + closed);
        try (S3StorageDriver driver = new S3StorageDriver(S3Config.parse(p))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> driver.checkHealth(true)).hasMessageContaining("cannot reach S3");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(S3StorageDriver.HEALTH_TIMEOUT);
        }
    }

    @Test
    void aMissingBucketOrWrongCredentialsFailWithoutShowingTheCredentials() throws Exception {
        Map<String, Object> missing = S3ProxyServer.parameters("no-such-bucket-" + System.nanoTime());
        try (Registry registry = registry(missing, Duration.ZERO, new S3SpecificTest.Recorder())) {
            assertThatThrownBy(registry::checkStorage).hasMessageContaining("does not exist");
        }
        Map<String, Object> wrong = S3ProxyServer.parameters(S3ProxyServer.newBucket());
        wrong.put("secretkey", "wrong-secret-4711");
        try (Registry registry = registry(wrong, Duration.ZERO, new S3SpecificTest.Recorder())) {
            assertThatThrownBy(registry::checkStorage).hasMessageContaining("check accesskey/secretkey")
                    .hasMessageNotContaining("wrong-secret-4711").hasMessageNotContaining(S3ProxyServer.ACCESS_KEY);
        }
    }

    private static S3Proxy startS3(BlobStore store, int port) throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3ProxyServer.ACCESS_KEY,
                        S3ProxyServer.SECRET_KEY)
                .build();
        proxy.start();
        awaitState(proxy, "STARTED");
        return proxy;
    }

    private static void awaitState(S3Proxy proxy, String state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!state.equals(proxy.getState())) {
            assertThat(System.nanoTime()).as("S3Proxy " + state).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
