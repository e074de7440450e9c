package dev.berth.registry.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;

/**
 * Coverage-guided fuzzing of the manifest parser with Jazzer. In a normal test run it replays the inputs under
 * {@code src/test/resources/.../ManifestParserFuzzTestInputs}; to fuzz for real, run
 * {@code JAZZER_FUZZ=1 mvn -pl registry-core test -Dtest=ManifestParserFuzzTest} and commit any crash it finds as a
 * new input.
 */
class ManifestParserFuzzTest {
    private static final String[] CONTENT_TYPES = {null, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, "application/json"};

    @FuzzTest(maxDuration = "30s")
    void parserAnswersEveryInputWithAManifestOrManifestInvalid(FuzzedDataProvider data) {
        String type = CONTENT_TYPES[data.consumeInt(0, CONTENT_TYPES.length - 1)];
        byte[] body = data.consumeRemainingAsBytes();
        try {
            Manifest m = Manifest.parse(body, type);
            assertThat(m.bytes()).isEqualTo(body);
            assertThat(m.digest()).isEqualTo(Digest.sha256(body));
        } catch (RegistryException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
        }
    }
}
