package dev.berth.registry.testkit;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/** Blobs and manifests to push in tests, written as real clients write them. */
public final class TestContent {
    private TestContent() {
    }

    /** A blob and its digest. */
    public record Blob(byte[] bytes, Digest digest) {
        public long size() {
            return bytes.length;
        }
    }

    public static Blob blob(byte[] bytes) {
        return new Blob(bytes, Digest.sha256(bytes));
    }

    public static Blob randomBlob(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return blob(b);
    }

    public static Blob text(String s) {
        return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The OCI empty descriptor's content, {@code {}}. */
    public static final Blob EMPTY_JSON = text("{}");

    /** An OCI image manifest (or Docker schema2 with {@code docker} set) over a config and layers. */
    public static String imageManifest(boolean docker, Blob config, List<Blob> layers) {
        String configType = docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG;
        String layerType = docker ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.OCI_LAYER_GZIP;
        String type = docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
        return "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + type + "\",\n  \"config\": "
                + descriptor(configType, config) + ",\n  \"layers\": ["
                + layers.stream().map(l -> descriptor(layerType, l)).collect(Collectors.joining(", ")) + "]\n}";
    }

    /** An OCI artifact (a signature or an SBOM, say) whose subject is {@code subject}. */
    public static String artifactManifest(String artifactType, Blob layer, Digest subject, long subjectSize,
            String subjectType) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
                + artifactType + "\",\"config\":" + descriptor(MediaTypes.OCI_EMPTY, EMPTY_JSON) + ",\"layers\":["
                + descriptor("application/octet-stream", layer) + "],\"subject\":{\"mediaType\":\"" + subjectType
                + "\",\"digest\":\"" + subject + "\",\"size\":" + subjectSize
                + "},\"annotations\":{\"org.opencontainers.image.created\":\"2026-01-01T00:00:00Z\"}}";
    }

    /** An OCI index (or Docker manifest list) over manifests given as their bytes. */
    public static String index(boolean docker, List<byte[]> manifests, List<String> manifestTypes) {
        StringBuilder sb = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"")
                .append(docker ? MediaTypes.DOCKER_MANIFEST_LIST : MediaTypes.OCI_INDEX).append("\",\"manifests\":[");
        String[] arch = {"amd64", "arm64", "s390x", "ppc64le", "riscv64"};
        for (int i = 0; i < manifests.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(manifestTypes.get(i))
                    .append("\",\"digest\":\"").append(Digest.sha256(manifests.get(i))).append("\",\"size\":")
                    .append(manifests.get(i).length).append(",\"platform\":{\"architecture\":\"")
                    .append(arch[i % arch.length]).append("\",\"os\":\"linux\"}}");
        }
        return sb.append("]}").toString();
    }

    public static String descriptor(String mediaType, Blob blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size() + "}";
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
