package dev.berth.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.gc.GcReport;
import dev.berth.registry.model.Digest;
import dev.berth.registry.servlet.RegistryRoute;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryMetricsTest {
    private final RegistryMetrics metrics = new RegistryMetrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    private void record(String method, String path, String query, int status) {
        metrics.record(new ObservedRequest("127.0.0.1", method, path, query, RegistryRoute.classify(path), status, 0,
                0, 1_000_000, null));
    }

    private double count(String name) {
        return metrics.meterRegistry().get(name).timer().count();
    }

    @Test
    void aMountIsNotAnUploadButAMonolithicPushAndAFinalPutAre() {
        record("POST", "/v2/a/blobs/uploads/", "mount=sha256:abc&from=b", 201);
        assertThat(count("berth.blob.upload")).isZero();
        record("POST", "/v2/a/blobs/uploads/", "digest=sha256:abc", 201);
        record("PUT", "/v2/a/blobs/uploads/id", "digest=sha256:abc", 201);
        record("PUT", "/v2/a/blobs/uploads/id", "digest=sha256:abc", 400);
        assertThat(count("berth.blob.upload")).isEqualTo(2);
    }

    @Test
    void onlySuccessfulBlobGetsArePulls() {
        record("GET", "/v2/a/blobs/sha256:abc", null, 200);
        record("GET", "/v2/a/blobs/sha256:abc", null, 206);
        record("HEAD", "/v2/a/blobs/sha256:abc", null, 200);
        record("GET", "/v2/a/blobs/sha256:abc", null, 404);
        record("GET", "/v2/a/blobs/sha256:abc", null, 307);
        assertThat(count("berth.blob.pull")).isEqualTo(2);
    }

    @Test
    void inventedMethodsShareOneSeries() {
        record("BREW", "/v2/", null, 405);
        record("propfind", "/v2/", null, 405);
        record("get", "/v2/", null, 200);
        assertThat(metrics.meterRegistry().get("berth.http.requests").tag("method", "OTHER").timer().count())
                .isEqualTo(2);
        assertThat(metrics.meterRegistry().get("berth.http.requests").tag("method", "GET").timer().count())
                .isEqualTo(1);
    }

    @Test
    void a503IsAStorageErrorAndEvery5xxAServerError() {
        record("GET", "/v2/a/manifests/v1", null, 503);
        record("GET", "/v2/a/manifests/v1", null, 500);
        assertThat(metrics.meterRegistry().get("berth.storage.errors").tag("route", "manifest").counter().count())
                .isEqualTo(1);
        assertThat(metrics.meterRegistry().get("berth.http.server.errors").tag("route", "manifest").counter().count())
                .isEqualTo(2);
    }

    @Test
    void garbageCollectionsAreCountedWithWhatTheyFreedDryRunsFreeNothing() {
        var blob = new GcReport.DeletedBlob(Digest.sha256(new byte[1]),
                1234);
        var real = new GcReport(false, Instant.EPOCH, 1, 1, List.of(), 1,
                List.of(blob), 0, Duration.ofMillis(20));
        var dry = new GcReport(true, Instant.EPOCH, 1, 1, List.of(), 1,
                List.of(blob), 0, Duration.ofMillis(20));
        metrics.recordGc(real);
        metrics.recordGc(dry);
        metrics.recordGc(real);
        metrics.recordGcFailure();
        String text = metrics.scrape();
        assertThat(text).contains("berth_gc_runs_total{dryrun=\"false\"} 2.0", "berth_gc_runs_total{dryrun=\"true\"} 1.0",
                "berth_gc_deleted_bytes_total 2468.0", "berth_gc_deleted_blobs_total 2.0",
                "berth_gc_deleted_manifests_total 0.0", "berth_gc_failures_total 1.0", "berth_gc_duration_seconds_count 3");
    }

    @Test
    void everyLimitHasASeriesFromTheStartAndCountsItsHits() {
        assertThat(metrics.scrape()).contains("berth_http_limit_hits_total{limit=\"per_client_connections\"} 0.0",
                "berth_http_limit_hits_total{limit=\"body_size\"} 0.0");
        metrics.limitHit("header_timeout");
        metrics.limitHit("header_timeout");
        metrics.limitHit("min_response_rate");
        assertThat(metrics.scrape()).contains("berth_http_limit_hits_total{limit=\"header_timeout\"} 2.0",
                "berth_http_limit_hits_total{limit=\"min_response_rate\"} 1.0");
        for (String limit : RegistryMetrics.LIMITS) {
            assertThat(metrics.meterRegistry().get("berth.http.limit.hits").tag("limit", limit).counter()).isNotNull();
        }
    }

    @Test
    void aLimitOutsideTheFixedSetIsRefusedSoTheTagStaysBounded() {
        Assertions.assertThatThrownBy(() -> metrics.limitHit("/v2/some/repo"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per_client_connections");
    }

    @Test
    void openConnectionsAreReadAtEachScrape() {
        AtomicInteger open = new AtomicInteger(3);
        metrics.bindOpenConnections(open::get);
        assertThat(metrics.scrape()).contains("berth_http_connections_open 3.0");
        open.set(7);
        assertThat(metrics.scrape()).contains("berth_http_connections_open 7.0");
    }
}
