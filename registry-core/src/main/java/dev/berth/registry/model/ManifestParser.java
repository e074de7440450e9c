package dev.berth.registry.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Parses and validates pushed manifests. Every way a manifest can be wrong is a {@link RegistryException} with
 * MANIFEST_INVALID and a message that names the offending field by its JSON path ({@code layers[2].digest}); no
 * parser exception escapes.
 */
final class ManifestParser {
    private ManifestParser() {
    }

    /** More descriptors than any real image has; refusing more bounds the work a push can cause. */
    static final int MAX_DESCRIPTORS = 10_000;

    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    static Manifest parse(byte[] bytes, String contentType) {
        if (bytes == null || bytes.length == 0) {
            throw invalid("manifest is empty");
        }
        String declared = MediaTypes.normalize(contentType);
        if (declared != null && MediaTypes.SCHEMA1.contains(declared) && !declared.equals("application/json")) {
            throw schema1();
        }
        if ("application/json".equals(declared) || MediaTypes.OCTET_STREAM.equals(declared)) {
            declared = null; // what generic HTTP clients send: no claim about the manifest's type
        }

        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            throw invalid("manifest starts with a byte-order mark; it must be plain UTF-8 JSON");
        }
        if (bytes[0] == 0 || (bytes.length >= 2 && bytes[1] == 0) || (bytes[0] & 0xff) == 0xfe
                || (bytes[0] & 0xff) == 0xff) {
            throw invalid("manifest is not UTF-8 (UTF-16 or UTF-32?); it must be UTF-8 JSON");
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON: " + plain(e.getOriginalMessage()) + location(e));
        } catch (IOException | RuntimeException e) {
            throw invalid("manifest is not valid JSON: " + Failures.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }

        JsonNode version = root.get("schemaVersion");
        if (version != null && version.isIntegralNumber() && version.canConvertToInt() && version.intValue() == 1) {
            throw schema1();
        }
        if (version == null || !version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() != 2) {
            throw invalid("schemaVersion must be 2, got " + (version == null ? "none" : version.toString()));
        }

        String bodyType = optionalString(root, "mediaType", "mediaType");
        if (bodyType != null && declared != null && !bodyType.equals(declared)) {
            throw invalid("mediaType " + bodyType + " in the manifest does not match Content-Type " + declared);
        }
        String type = bodyType != null ? bodyType : declared != null ? declared : infer(root);
        if (MediaTypes.SCHEMA1.contains(type)) {
            throw schema1();
        }
        if (!MediaTypes.MANIFESTS.contains(type)) {
            throw invalid("unsupported manifest media type " + type + "; supported: "
                    + String.join(", ", new TreeSet<>(MediaTypes.MANIFESTS)));
        }
        if (bodyType == null && (type.equals(MediaTypes.DOCKER_MANIFEST) || type.equals(MediaTypes.DOCKER_MANIFEST_LIST))) {
            throw invalid("a Docker " + (type.equals(MediaTypes.DOCKER_MANIFEST) ? "schema2 manifest" : "manifest list")
                    + " must have a mediaType field");
        }

        String artifactType = optionalString(root, "artifactType", "artifactType");
        if (artifactType != null) {
            checkMediaType(artifactType, "artifactType");
        }
        Descriptor subject = present(root, "subject") ? descriptor(root.get("subject"), "subject") : null;
        Map<String, String> annotations = stringMap(root.get("annotations"), "annotations");

        if (MediaTypes.IMAGE_MANIFESTS.contains(type)) {
            if (root.has("manifests")) {
                throw invalid("an image manifest (" + type + ") must not have a manifests field");
            }
            if (!root.has("config")) {
                throw invalid("config is missing");
            }
            Descriptor config = descriptor(root.get("config"), "config");
            List<Descriptor> layers = descriptors(root.get("layers"), "layers");
            return new ImageManifest(bytes, type, config, layers, subject, artifactType, annotations);
        }
        if (root.has("config") || root.has("layers")) {
            throw invalid("an index (" + type + ") must not have config or layers");
        }
        List<Descriptor> manifests = descriptors(root.get("manifests"), "manifests");
        return new ImageIndex(bytes, type, manifests, subject, artifactType, annotations);
    }

    private static String infer(JsonNode root) {
        if (root.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (root.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw invalid("cannot tell the manifest's type: no mediaType field, no Content-Type, and neither config nor"
                + " manifests");
    }

    /** A field that is there and not null (null counts as absent, as for every optional field). */
    private static boolean present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    private static List<Descriptor> descriptors(JsonNode node, String path) {
        if (node == null) {
            throw invalid(path + " is missing");
        }
        if (!node.isArray()) {
            throw invalid(path + " must be an array");
        }
        if (node.size() > MAX_DESCRIPTORS) {
            throw invalid(path + " has " + node.size() + " entries; at most " + MAX_DESCRIPTORS + " are accepted");
        }
        List<Descriptor> result = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            result.add(descriptor(node.get(i), path + "[" + i + "]"));
        }
        return result;
    }

    private static Descriptor descriptor(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw invalid(path + " must be an object (a descriptor)");
        }
        String mediaType = requiredString(node, "mediaType", path + ".mediaType");
        checkMediaType(mediaType, path + ".mediaType");
        String digestText = requiredString(node, "digest", path + ".digest");
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (RegistryException e) {
            throw invalid(path + ".digest: " + Failures.describe(e));
        }
        JsonNode size = node.get("size");
        if (size == null) {
            throw invalid(path + ".size is missing");
        }
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            throw invalid(path + ".size must be a non-negative integer, got " + abbreviate(size.toString()));
        }
        List<String> urls = stringList(node.get("urls"), path + ".urls");
        Map<String, String> annotations = stringMap(node.get("annotations"), path + ".annotations");
        String artifactType = optionalString(node, "artifactType", path + ".artifactType");
        if (artifactType != null) {
            checkMediaType(artifactType, path + ".artifactType");
        }
        Platform platform = present(node, "platform") ? platform(node.get("platform"), path + ".platform") : null;
        return new Descriptor(mediaType, digest, size.longValue(), urls, annotations, artifactType, platform);
    }

    private static Platform platform(JsonNode node, String path) {
        if (!node.isObject()) {
            throw invalid(path + " must be an object");
        }
        return new Platform(requiredString(node, "architecture", path + ".architecture"),
                requiredString(node, "os", path + ".os"),
                optionalString(node, "os.version", path + ".os.version"),
                stringList(node.get("os.features"), path + ".os.features"),
                optionalString(node, "variant", path + ".variant"),
                stringList(node.get("features"), path + ".features"));
    }

    private static String requiredString(JsonNode node, String field, String path) {
        String s = optionalString(node, field, path);
        if (s == null) {
            throw invalid(path + " is missing");
        }
        return s;
    }

    private static String optionalString(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw invalid(path + " must be a string, got " + abbreviate(v.toString()));
        }
        return v.textValue();
    }

    private static List<String> stringList(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid(path + " must be an array of strings");
        }
        List<String> result = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw invalid(path + "[" + i + "] must be a string");
            }
            result.add(node.get(i).textValue());
        }
        return result;
    }

    private static Map<String, String> stringMap(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid(path + " must be an object of strings");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw invalid(path + "." + e.getKey() + " must be a string");
            }
            result.put(e.getKey(), e.getValue().textValue());
        }
        return result;
    }

    private static void checkMediaType(String value, String path) {
        if (!MEDIA_TYPE.matcher(value).matches()) {
            throw invalid(path + " is not a media type: '" + abbreviate(value) + "'");
        }
    }

    /**
     * Jackson's message without its advice to Jackson users (feature names, source redaction notes), which means
     * nothing to a registry client: "Non-standard token 'NaN': enable `...` to allow" → "Non-standard token 'NaN'".
     */
    static String plain(String message) {
        if (message == null) {
            return "malformed";
        }
        String s = message
                .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\][^)]*\\)", "")
                .replaceAll("\\s*\\(bound as `[^`]*`\\)", "")
                .replaceAll(",? from `[^`]*`", "")
                .replaceAll(":? (?:enable|not allowed as per) `[^`]*`(?: to allow)?", "")
                .replaceAll("Trailing token \\(of type [A-Z_]+\\) found after value", "unexpected content after the JSON object");
        int tick = s.indexOf('`');
        return (tick >= 0 ? s.substring(0, tick) : s).trim();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static RegistryException schema1() {
        return invalid("Docker schema1 manifests are not supported; push with a client that writes schema2 or OCI"
                + " manifests (any docker since 1.10, podman, buildah, skopeo, crane)");
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }

    private static String abbreviate(String s) {
        return Digest.abbreviate(s);
    }
}
