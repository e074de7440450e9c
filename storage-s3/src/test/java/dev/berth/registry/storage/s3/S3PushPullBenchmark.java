package dev.berth.registry.storage.s3;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import dev.berth.registry.testkit.GeneratedStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a test: push and pull of a 256 MiB blob through the registry (core API) on the s3 driver and
 * S3Proxy (filesystem backend), and the S3 requests each step sends, counted with an SDK execution interceptor. Run
 * with {@code mvn -B -q test -pl storage-s3 -am -Dtest=S3PushPullBenchmark -Dberth.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}; the numbers are in the test's output file.
 */
@EnabledIfSystemProperty(named = "berth.benchmark", matches = "true")
class S3PushPullBenchmark {
    static final long SIZE = 256L << 20;

    static {
        System.setProperty("s3proxy.backend", "filesystem");
    }

    @Test
    void pushAndPullA256MebibyteBlob() throws Exception {
        String bucket = S3ProxyServer.newBucket();
        Map<String, Object> p = S3ProxyServer.parameters(bucket);
        p.remove("chunksize"); // the default part size, 10 MiB
        S3SpecificTest.Recorder recorder = new S3SpecificTest.Recorder();
        byte[] pattern = new byte[4 << 20];
        new Random(1).nextBytes(pattern);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new GeneratedStream(pattern, SIZE)) {
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), md));
        }
        Digest digest = Digest.parse("sha256:" + HexFormat.of().formatHex(md.digest()));

        try (Registry registry = Registry.builder()
                .storage(new S3StorageDriver(S3Config.parse(p), List.of(recorder))).build()) {
            Repository repo = registry.repository("bench/app");

            long t = System.nanoTime();
            repo.uploads().put(digest, new GeneratedStream(pattern, SIZE));
            report("monolithic push of 256 MiB", t, recorder);

            byte[] pattern2 = pattern.clone();
            pattern2[0] ^= 1;
            md.reset();
            try (InputStream in = new GeneratedStream(pattern2, SIZE)) {
                in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), md));
            }
            Digest second = Digest.parse("sha256:" + HexFormat.of().formatHex(md.digest()));
            t = System.nanoTime();
            Uploads.UploadStatus up = repo.uploads().start();
            GeneratedStream source = new GeneratedStream(pattern2, SIZE);
            for (int i = 0; i < 4; i++) {
                repo.uploads().append(up.id(), i * (SIZE / 4), source.next(SIZE / 4));
            }
            repo.uploads().commit(up.id(), second, null);
            report("chunked push of 256 MiB (POST, 4 PATCH of 64 MiB, PUT)", t, recorder);

            t = System.nanoTime();
            try (InputStream in = repo.blobs().open(digest, 0)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            report("pull of 256 MiB", t, recorder);

            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
            report("push of a small blob (config)", System.nanoTime(), recorder);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                    + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
                    + Digest.sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\""
                    + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + digest + "\",\"size\":" + SIZE + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            repo.manifests().put(Reference.parse("v1"), MediaTypes.OCI_MANIFEST, manifest);
            report("manifest PUT by tag", System.nanoTime(), recorder);
            repo.manifests().get(Reference.parse("v1")).orElseThrow();
            report("manifest GET by tag", System.nanoTime(), recorder);
            repo.manifests().get(Reference.of(Digest.sha256(manifest))).orElseThrow();
            report("manifest GET by digest", System.nanoTime(), recorder);
            repo.blobs().stat(digest).orElseThrow();
            report("blob HEAD (stat)", System.nanoTime(), recorder);
            repo.blobs().redirectUrl(digest, Duration.ofMinutes(20)).orElseThrow();
            report("blob GET answered with a redirect", System.nanoTime(), recorder);
        }
    }

    private static void report(String step, long startNanos, S3SpecificTest.Recorder recorder) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Long> byOperation = new TreeMap<>();
        recorder.operations.forEach(o -> byOperation.merge(o, 1L, Long::sum));
        String rate = seconds > 0.05 ? String.format(" %.2f s, %.0f MiB/s,", seconds, 256 / seconds) : "";
        System.out.println("BENCH " + step + ":" + rate + " " + recorder.operations.size() + " S3 requests "
                + byOperation);
        recorder.operations.clear();
    }
}
