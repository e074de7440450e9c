package dev.berth.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestParserTest {
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);
    static final String D3 = "sha256:" + "3".repeat(64);
    static final String EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    static final String OCI_IMAGE = """
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "%s",
                "size": 1470
              },
              "layers": [
                {
                  "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                  "digest": "%s",
                  "size": 3623807
                },
                {
                  "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                  "digest": "%s",
                  "size": 12
                }
              ],
              "annotations": {"org.opencontainers.image.created": "2026-11-01T00:00:00Z"}
            }
            """.formatted(D1, D2, D3);

    static final String DOCKER_IMAGE = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"%s"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"%s"}]}
            """.formatted(D1, D2);

    static final String OCI_INDEX = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":500,
               "platform":{"architecture":"amd64","os":"linux"}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":501,
               "platform":{"architecture":"arm64","os":"linux","variant":"v8","os.features":["x"]}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":502,
               "annotations":{"vnd.docker.reference.type":"attestation-manifest"},
               "platform":{"architecture":"unknown","os":"unknown"}}]}
            """.formatted(D1, D2, D3);

    static final String DOCKER_LIST = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
              {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":528,
               "platform":{"architecture":"ppc64le","os":"linux"}}]}
            """.formatted(D1);

    static final String ARTIFACT = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json",
             "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},
             "layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","digest":"%s","size":4242}],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1234},
             "annotations":{"dev.sigstore.bundle.predicateType":"https://slsa.dev/provenance/v1"}}
            """.formatted(EMPTY, D2, D3);

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ociImageManifestKeepsItsExactBytesAndReferences() {
        byte[] bytes = utf8(OCI_IMAGE);
        Manifest m = Manifest.parse(bytes, MediaTypes.OCI_MANIFEST);
        assertThat(m).isInstanceOf(ImageManifest.class);
        assertThat(m.bytes()).isEqualTo(bytes);
        assertThat(m.digest()).isEqualTo(Digest.sha256(bytes));
        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        ImageManifest im = (ImageManifest) m;
        assertThat(im.config().digest().toString()).isEqualTo(D1);
        assertThat(im.config().size()).isEqualTo(1470);
        assertThat(im.layers()).extracting(d -> d.digest().toString()).containsExactly(D2, D3);
        assertThat(m.references()).extracting(d -> d.digest().toString()).containsExactly(D1, D2, D3);
        assertThat(m.subject()).isEmpty();
        assertThat(m.annotations()).containsEntry("org.opencontainers.image.created", "2026-11-01T00:00:00Z");
        assertThat(m.effectiveArtifactType()).isEqualTo(MediaTypes.OCI_CONFIG);
    }

    @Test
    void theDigestIsOfTheBytesAsPushedNotOfAReformatting() {
        String compact = OCI_IMAGE.replaceAll("\\s+", "");
        Manifest pretty = Manifest.parse(utf8(OCI_IMAGE), null);
        Manifest tight = Manifest.parse(utf8(compact), null);
        assertThat(pretty.references()).isEqualTo(tight.references());
        assertThat(pretty.digest()).isNotEqualTo(tight.digest());
        assertThat(tight.bytes()).isEqualTo(utf8(compact));
    }

    @Test
    void dockerSchema2ManifestIsAnImageManifest() {
        Manifest m = Manifest.parse(utf8(DOCKER_IMAGE), MediaTypes.DOCKER_MANIFEST);
        assertThat(m).isInstanceOf(ImageManifest.class);
        assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(m.references()).hasSize(2);
    }

    @Test
    void ociIndexListsItsChildrenWithPlatforms() {
        Manifest m = Manifest.parse(utf8(OCI_INDEX), MediaTypes.OCI_INDEX);
        assertThat(m).isInstanceOf(ImageIndex.class);
        ImageIndex index = (ImageIndex) m;
        assertThat(index.manifests()).extracting(d -> d.digest().toString()).containsExactly(D1, D2, D3);
        Platform arm = index.manifests().get(1).platform();
        assertThat(arm.architecture()).isEqualTo("arm64");
        assertThat(arm.variant()).isEqualTo("v8");
        assertThat(arm.osFeatures()).containsExactly("x");
        assertThat(index.manifests().get(2).annotations()).containsKey("vnd.docker.reference.type");
        assertThat(m.effectiveArtifactType()).isNull();
    }

    @Test
    void dockerManifestListIsAnIndex() {
        Manifest m = Manifest.parse(utf8(DOCKER_LIST), MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(m).isInstanceOf(ImageIndex.class);
        assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    }

    @Test
    void artifactManifestHasArtifactTypeAndSubjectButTheSubjectIsNoReference() {
        Manifest m = Manifest.parse(utf8(ARTIFACT), MediaTypes.OCI_MANIFEST);
        assertThat(m.artifactType()).contains("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(m.effectiveArtifactType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(m.subject()).hasValueSatisfying(s -> assertThat(s.digest().toString()).isEqualTo(D3));
        assertThat(m.references()).extracting(d -> d.digest().toString()).containsExactly(EMPTY, D2);
        Descriptor d = m.descriptor();
        assertThat(d.artifactType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(d.size()).isEqualTo(utf8(ARTIFACT).length);
        assertThat(d.annotations()).containsKey("dev.sigstore.bundle.predicateType");
    }

    @Test
    void contentTypeParametersAndGenericTypesAreAccepted() {
        assertThat(Manifest.parse(utf8(OCI_IMAGE), "application/vnd.oci.image.manifest.v1+json; charset=utf-8")
                .mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Manifest.parse(utf8(OCI_IMAGE), "application/json").mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Manifest.parse(utf8(OCI_IMAGE), "application/octet-stream").mediaType())
                .isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void anOciManifestWithoutMediaTypeTakesItFromContentTypeOrItsShape() {
        String noType = OCI_IMAGE.replace("\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",", "");
        assertThat(Manifest.parse(utf8(noType), MediaTypes.OCI_MANIFEST).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Manifest.parse(utf8(noType), null).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        String indexNoType = OCI_INDEX.replace("\"mediaType\":\"application/vnd.oci.image.index.v1+json\",", "");
        assertThat(Manifest.parse(utf8(indexNoType), null)).isInstanceOf(ImageIndex.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty body                    | ''                                                        | manifest is empty
            not json                      | '{not json'                                               | not valid JSON
            trailing garbage              | '{"schemaVersion":2} x'                                   | not valid JSON
            an array                      | '[]'                                                      | JSON object
            a string                      | '"manifest"'                                              | JSON object
            no schemaVersion              | '{"config":{}}'                                           | schemaVersion must be 2
            schemaVersion 3               | '{"schemaVersion":3}'                                     | schemaVersion must be 2
            schemaVersion as string       | '{"schemaVersion":"2"}'                                   | schemaVersion must be 2
            schema1                       | '{"schemaVersion":1,"name":"a","tag":"b","fsLayers":[]}'  | schema1
            duplicate keys                | '{"schemaVersion":2,"schemaVersion":2}'                   | not valid JSON
            unknown type                  | '{"schemaVersion":2,"mediaType":"application/x-foo+json","config":{}}' | unsupported manifest media type
            no shape                      | '{"schemaVersion":2}'                                     | cannot tell
            mediaType not a string        | '{"schemaVersion":2,"mediaType":5}'                       | mediaType must be a string
            """)
    void brokenDocumentsAreManifestInvalidWithAReason(String name, String body, String reason) {
        assertThatThrownBy(() -> Manifest.parse(utf8(body), null)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
            assertThat(e.detail()).contains(reason);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            config missing         | "config": {                      | "cfg": {                         | config is missing
            layers missing         | "layers": [                      | "lyrs": [                        | layers is missing
            size negative          | "size": 1470                     | "size": -1                       | config.size must be a non-negative integer
            size fractional        | "size": 1470                     | "size": 1.5                      | config.size must be a non-negative integer
            size as string         | "size": 1470                     | "size": "1470"                   | config.size must be a non-negative integer
            size too big           | "size": 1470                     | "size": 99999999999999999999999  | config.size must be a non-negative integer
            bad digest             | "size": 12                       | "size": 12, "digest": "sha256:zz" | not valid JSON
            bad layer digest       | 333333                           | 33333G                           | layers[1].digest
            unsupported digest     | "digest": "sha256:3333           | "digest": "sha384:3333           | layers[1].digest: unsupported digest algorithm
            bad media type         | "application/vnd.oci.image.layer.v1.tar+zstd" | "not a media type"   | layers[1].mediaType is not a media type
            annotation not string  | "2026-11-01T00:00:00Z"           | 2026                             | annotations.org.opencontainers.image.created must be a string
            manifests in an image  | "annotations":                   | "manifests": [], "annotations":  | must not have a manifests field
            """)
    void brokenImageManifestsNameTheField(String name, String from, String to, String reason) {
        String body = OCI_IMAGE.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to));
        assertThat(body).as("fixture edit applies").isNotEqualTo(OCI_IMAGE);
        assertThatThrownBy(() -> Manifest.parse(utf8(body), MediaTypes.OCI_MANIFEST))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                    assertThat(e.detail()).contains(reason);
                });
    }

    @Test
    void brokenIndexEntriesNameTheirPosition() {
        String body = OCI_INDEX.replace("\"architecture\":\"arm64\",", "");
        assertThatThrownBy(() -> Manifest.parse(utf8(body), null)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).contains("manifests[1].platform.architecture is missing"));
        String withLayers = OCI_INDEX.replace("\"manifests\":[", "\"layers\":[],\"manifests\":[");
        assertThatThrownBy(() -> Manifest.parse(utf8(withLayers), null)).isInstanceOfSatisfying(
                RegistryException.class, e -> assertThat(e.detail()).contains("must not have config or layers"));
    }

    @Test
    void parserMessagesCarryNoJacksonAdvice() {
        for (String body : List.of("{\"schemaVersion\":NaN}", "{\"schemaVersion\":2", "{\"schemaVersion\":2} {}",
                "{\"schemaVersion\":" + "9".repeat(5000) + "}")) {
            assertThatThrownBy(() -> Manifest.parse(utf8(body), null)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.detail()).startsWith("manifest is not valid JSON: ").doesNotContain("`")
                            .doesNotContain("Source:").doesNotContain("jackson"));
        }
        assertThat(ManifestParser.plain("Trailing token (of type START_OBJECT) found after value (bound as `x.Y`): "
                + "not allowed as per `Z`")).isEqualTo("unexpected content after the JSON object");
    }

    @Test
    void byteOrderMarksAndUtf16AreRefused() {
        byte[] bom = new byte[3 + utf8(OCI_IMAGE).length];
        bom[0] = (byte) 0xef;
        bom[1] = (byte) 0xbb;
        bom[2] = (byte) 0xbf;
        System.arraycopy(utf8(OCI_IMAGE), 0, bom, 3, bom.length - 3);
        assertThatThrownBy(() -> Manifest.parse(bom, null)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).contains("byte-order mark"));
        byte[] utf16 = OCI_IMAGE.getBytes(StandardCharsets.UTF_16LE);
        assertThatThrownBy(() -> Manifest.parse(utf16, null)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).contains("not UTF-8"));
    }

    @Test
    void nullOptionalFieldsCountAsAbsent() {
        String withNulls = OCI_IMAGE.replace("\"annotations\":", "\"subject\": null, \"artifactType\": null, \"annotations\":");
        Manifest m = Manifest.parse(utf8(withNulls), null);
        assertThat(m.subject()).isEmpty();
        assertThat(m.artifactType()).isEmpty();
        String platformNull = OCI_INDEX.replace("\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}",
                "\"platform\":null");
        assertThat(((ImageIndex) Manifest.parse(utf8(platformNull), null)).manifests().get(0).platform()).isNull();
    }

    @Test
    void mediaTypeMustAgreeWithContentType() {
        assertThatThrownBy(() -> Manifest.parse(utf8(OCI_IMAGE), MediaTypes.DOCKER_MANIFEST))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                    assertThat(e.detail()).contains("does not match Content-Type");
                });
    }

    @Test
    void dockerTypesRequireTheMediaTypeField() {
        String noType = DOCKER_IMAGE.replace("\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",", "");
        assertThatThrownBy(() -> Manifest.parse(utf8(noType), MediaTypes.DOCKER_MANIFEST))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.detail()).contains("mediaType field"));
    }

    @Test
    void schema1ContentTypesAreRefusedWithAnExplanation() {
        for (String type : List.of(MediaTypes.DOCKER_SCHEMA1_MANIFEST, MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST)) {
            assertThatThrownBy(() -> Manifest.parse(utf8(OCI_IMAGE), type)).isInstanceOfSatisfying(
                    RegistryException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                        assertThat(e.detail()).contains("schema1").contains("schema2 or OCI");
                    });
        }
    }

    @Test
    void tooManyDescriptorsAreRefused() {
        StringBuilder layers = new StringBuilder();
        for (int i = 0; i <= ManifestParser.MAX_DESCRIPTORS; i++) {
            layers.append(i == 0 ? "" : ",").append("{\"mediaType\":\"a/b\",\"digest\":\"").append(D1)
                    .append("\",\"size\":1}");
        }
        String body = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + D1 + "\",\"size\":1},"
                + "\"layers\":[" + layers + "]}";
        assertThatThrownBy(() -> Manifest.parse(utf8(body), null)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).contains("at most 10000"));
    }

    @Test
    void deeplyNestedJsonIsRefusedNotAStackOverflow() {
        String body = "{\"schemaVersion\":2,\"annotations\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> Manifest.parse(utf8(body), null)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID));
    }

    /**
     * Seeded mutation fuzzing: whatever a client sends, the parser answers with a manifest or MANIFEST_INVALID, never
     * with another exception.
     */
    @Test
    void mutatedManifestsParseOrAreManifestInvalidNeverAnotherFailure() {
        Random random = new Random(20261122);
        List<byte[]> seeds = new ArrayList<>();
        for (String s : List.of(OCI_IMAGE, DOCKER_IMAGE, OCI_INDEX, DOCKER_LIST, ARTIFACT)) {
            seeds.add(utf8(s));
        }
        String[] contentTypes = {null, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST,
                "application/json", "text/plain"};
        byte[] interesting = utf8("{}[]\":,-019eE.\\ \u0000nulltruefalse");
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] m = seeds.get(random.nextInt(seeds.size())).clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                if (m.length == 0) {
                    m = new byte[] {'{'};
                }
                int at = random.nextInt(m.length);
                switch (random.nextInt(4)) {
                    case 0 -> m[at] = interesting[random.nextInt(interesting.length)];
                    case 1 -> m[at] = (byte) random.nextInt(256);
                    case 2 -> m = Arrays.copyOf(m, at);
                    default -> {
                        byte[] longer = new byte[m.length + 1];
                        System.arraycopy(m, 0, longer, 0, at);
                        longer[at] = interesting[random.nextInt(interesting.length)];
                        System.arraycopy(m, at, longer, at + 1, m.length - at);
                        m = longer;
                    }
                }
            }
            String type = contentTypes[random.nextInt(contentTypes.length)];
            try {
                Manifest manifest = Manifest.parse(m, type);
                assertThat(manifest.bytes()).isEqualTo(m);
                parsed++;
            } catch (RegistryException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
                assertThat(e.detail()).isNotBlank();
            }
        }
        assertThat(parsed).as("some mutations stay valid (whitespace, annotation text)").isPositive();
    }
}
