package dev.berth.registry.storage.s3;

import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.Parameters;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code s3} driver's parameters, named as distribution names them, validated and with defaults applied. Secrets
 * never appear in {@link #toString()}.
 *
 * @param accessKey                  with {@code secretKey}: static credentials; both empty means the SDK's default
 *                                   credential chain (environment, profile, instance role, ...)
 * @param region                     the bucket's region ({@code us-east-1} by default, also for other S3 servers)
 * @param regionEndpoint             an S3-compatible server instead of AWS (MinIO, Ceph, R2, S3Proxy)
 * @param forcePathStyle             {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param rootDirectory              a key prefix under which everything lives, without leading or trailing slash
 * @param encrypt                    server-side encryption (SSE-S3, AES256) of every object written
 * @param secure                     https when {@code regionendpoint} has no scheme
 * @param chunkSize                  the size of the parts appendable writers upload (at least 5 MiB)
 * @param multipartCopyThresholdSize objects larger than this are moved with a multipart copy
 * @param multipartCopyChunkSize     the size of one part of such a copy
 * @param storageClass               the storage class of objects written, or empty for the bucket's default
 *                                   ({@code NONE} in the configuration)
 */
public record S3Config(Optional<String> accessKey, Optional<String> secretKey, Optional<String> sessionToken,
        String region, Optional<URI> regionEndpoint, boolean forcePathStyle, String bucket, String rootDirectory,
        boolean encrypt, boolean secure, long chunkSize, long multipartCopyThresholdSize, long multipartCopyChunkSize,
        Optional<String> storageClass) {

    public static final long MIN_CHUNK_SIZE = 5L << 20;
    public static final long MAX_PART_SIZE = 5L << 30;
    public static final long DEFAULT_CHUNK_SIZE = 10L << 20;
    public static final long DEFAULT_MULTIPART_COPY_THRESHOLD = 32L << 20;
    public static final long DEFAULT_MULTIPART_COPY_CHUNK = 32L << 20;

    static final List<String> KNOWN = List.of("accesskey", "secretkey", "sessiontoken", "region", "regionendpoint",
            "forcepathstyle", "bucket", "rootdirectory", "encrypt", "secure", "chunksize",
            "multipartcopythresholdsize", "multipartcopychunksize", "storageclass", "v4auth");

    public S3Config {
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw invalid(accessKey.isPresent() ? "secretkey" : "accesskey", "give both accesskey and secretkey, or"
                    + " neither for the default credential chain");
        }
        if (bucket.isBlank()) {
            throw invalid("bucket", "required");
        }
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_PART_SIZE) {
            throw invalid("chunksize", "must be between " + MIN_CHUNK_SIZE + " (5 MiB, S3's smallest part) and "
                    + MAX_PART_SIZE + ", found " + chunkSize);
        }
        if (multipartCopyChunkSize < MIN_CHUNK_SIZE || multipartCopyChunkSize > MAX_PART_SIZE) {
            throw invalid("multipartcopychunksize", "must be between " + MIN_CHUNK_SIZE + " and " + MAX_PART_SIZE
                    + ", found " + multipartCopyChunkSize);
        }
        if (multipartCopyThresholdSize < 0 || multipartCopyThresholdSize > MAX_PART_SIZE) {
            throw invalid("multipartcopythresholdsize", "must be between 0 and " + MAX_PART_SIZE
                    + " (S3's single copy stops at 5 GiB), found " + multipartCopyThresholdSize);
        }
        rootDirectory = rootDirectory.replaceAll("^/+|/+$", "");
    }

    /** Parses distribution's parameters; unknown keys and bad values are {@link ParameterException}s naming them. */
    public static S3Config parse(Map<String, ?> parameters) {
        Parameters p = Parameters.of("storage." + S3StorageDriver.NAME, parameters).rejectUnknown(KNOWN);
        if (!p.bool("v4auth", true)) {
            throw p.invalid("v4auth", "false (signature version 2) is not supported; AWS and every current S3 server"
                    + " take version 4");
        }
        boolean secure = p.bool("secure", true);
        Optional<URI> endpoint = text(p, "regionendpoint").map(e -> {
            String withScheme = e.contains("://") ? e : (secure ? "https://" : "http://") + e;
            try {
                URI uri = URI.create(withScheme);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
                return uri;
            } catch (IllegalArgumentException bad) {
                throw p.invalid("regionendpoint", "is not a URL: " + e);
            }
        });
        String region = text(p, "region").orElse("us-east-1");
        if (endpoint.isEmpty() && !secure) { // AWS itself over plain HTTP, as distribution does with secure: false
            endpoint = Optional.of(URI.create("http://s3." + region + ".amazonaws.com"));
        }
        Optional<String> storageClass = text(p, "storageclass").map(c -> c.toUpperCase(Locale.ROOT))
                .filter(c -> !c.equals("NONE"));
        return new S3Config(text(p, "accesskey"), text(p, "secretkey"), text(p, "sessiontoken"), region, endpoint,
                p.bool("forcepathstyle", false), p.requiredString("bucket").trim(),
                text(p, "rootdirectory").orElse(""), p.bool("encrypt", false), secure,
                p.bytes("chunksize", DEFAULT_CHUNK_SIZE),
                p.bytes("multipartcopythresholdsize", DEFAULT_MULTIPART_COPY_THRESHOLD),
                p.bytes("multipartcopychunksize", DEFAULT_MULTIPART_COPY_CHUNK), storageClass);
    }

    private static ParameterException invalid(String key, String problem) {
        return new ParameterException("storage." + S3StorageDriver.NAME, key, problem);
    }

    /** A text parameter; an empty one counts as absent, as in distribution's templated configs. */
    private static Optional<String> text(Parameters p, String key) {
        return p.string(key).map(String::trim).filter(s -> !s.isEmpty());
    }

    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", region=" + region + ", regionendpoint="
                + regionEndpoint.map(URI::toString).orElse("(AWS)") + ", forcepathstyle=" + forcePathStyle
                + ", rootdirectory=" + rootDirectory + ", credentials="
                + (accessKey.isPresent() ? "static (accesskey and secretkey set, not shown)" : "default chain")
                + ", encrypt=" + encrypt + ", secure=" + secure + ", chunksize=" + chunkSize
                + ", multipartcopythresholdsize=" + multipartCopyThresholdSize + ", multipartcopychunksize="
                + multipartCopyChunkSize + ", storageclass=" + storageClass.orElse("NONE") + "]";
    }
}
