package dev.berth.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.Gen;

class ValueTypesTest {
    static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // ------------------------------------------------------------------ Digest

    @Test
    void digestOfKnownContentMatchesTheStandardVectors() {
        assertThat(Digest.sha256(new byte[0]).toString()).isEqualTo(EMPTY_SHA256);
        assertThat(Digest.of(Digest.Algorithm.SHA512, "abc".getBytes(StandardCharsets.US_ASCII)).hex())
                .startsWith("ddaf35a193617aba").hasSize(128);
        assertThat(Digest.parse(EMPTY_SHA256).matches(new byte[0])).isTrue();
    }

    @Test
    void digestParsesSha256AndSha512AndPrintsCanonically() {
        Digest d = Digest.parse(EMPTY_SHA256);
        assertThat(d.algorithm()).isEqualTo(Digest.Algorithm.SHA256);
        assertThat(d.toString()).isEqualTo(EMPTY_SHA256);
        String sha512 = "sha512:" + "a".repeat(128);
        assertThat(Digest.parse(sha512).toString()).isEqualTo(sha512);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256", "sha256:", ":abc", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
            "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha256:../../etc/passwd", "sha256 :abc", "sha256:abc def", "sha256::abc"})
    void malformedDigestsAreDigestInvalid(String text) {
        assertThatThrownBy(() -> Digest.parse(text)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        assertThat(Digest.isValid(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "blake3:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "md5:d41d8cd98f00b204e9800998ecf8427e",
            "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"})
    void wellFormedDigestsOfOtherAlgorithmsAreUnsupported(String text) {
        assertThatThrownBy(() -> Digest.parse(text)).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_PARAMETERS);
            assertThat(e.code().value()).isEqualTo("UNSUPPORTED");
            assertThat(e.code().httpStatus()).as("the method is fine; the algorithm is not").isEqualTo(400);
            assertThat(e.detail()).contains("sha256, sha512");
        });
        assertThat(Digest.isValid(text)).isFalse();
    }

    @Test
    void anyStringEitherParsesAsADigestOrFailsWithADigestCode() {
        qt().withExamples(3000).forAll(strings().allPossible().ofLengthBetween(0, 80)).checkAssert(s -> {
            try {
                assertThat(Digest.parse(s).toString()).isEqualTo(s);
            } catch (RegistryException e) {
                assertThat(e.code()).isIn(ErrorCode.DIGEST_INVALID, ErrorCode.UNSUPPORTED_PARAMETERS);
            }
        });
    }

    @Test
    void generatedDigestsRoundTrip() {
        qt().forAll(strings().allPossible().ofLengthBetween(0, 200)).checkAssert(content -> {
            Digest d = Digest.sha256(content.getBytes(StandardCharsets.UTF_8));
            assertThat(Digest.parse(d.toString())).isEqualTo(d);
            assertThat(Digest.isValid(d.toString())).isTrue();
        });
    }

    // ------------------------------------------------------------------ RepositoryName

    @ParameterizedTest
    @ValueSource(strings = {"a", "library/alpine", "a.b_c__d--e/f", "my-org/team.app/image_1", "0/1/2", "a---b"})
    void validRepositoryNamesParse(String name) {
        assertThat(RepositoryName.parse(name).value()).isEqualTo(name);
        assertThat(RepositoryName.isValid(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "Library/alpine", "-a", "a-", "a//b", "/a", "a/", "..", "a/../b", ".", "a/./b",
            "a___b", "a..b", "a._b", "_a", "a b", "a:b", "a@b", "ünï"})
    void invalidRepositoryNamesAreNameInvalid(String name) {
        assertThat(RepositoryName.isValid(name)).isFalse();
        assertThatThrownBy(() -> RepositoryName.parse(name)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
    }

    @Test
    void repositoryNamesAreAtMost255Characters() {
        String longest = "a/".repeat(127) + "a";
        assertThat(longest).hasSize(255);
        assertThat(RepositoryName.parse(longest).value()).hasSize(255);
        assertThatThrownBy(() -> RepositoryName.parse(longest + "b")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).contains("256"));
    }

    /** Names built from the grammar's parts always parse; and nothing that parses can escape a storage folder. */
    @Test
    void generatedNamesFromTheGrammarParseAndAreSafePaths() {
        Gen<String> component = lists().of(strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 6))
                .ofSizeBetween(1, 3).zip(integers().between(0, 3), (parts, sep) ->
                        String.join(new String[] {".", "_", "__", "-"}[sep], parts));
        Gen<String> names = lists().of(component).ofSizeBetween(1, 4).map(l -> String.join("/", l));
        qt().forAll(names).assuming(n -> n.length() <= 255).checkAssert(n -> {
            RepositoryName name = RepositoryName.parse(n);
            assertThat(name.toString()).isEqualTo(n);
            assertThat(List.of(n.split("/"))).noneMatch(c -> c.equals("..") || c.equals(".") || c.isEmpty());
        });
    }

    @Test
    void anyStringEitherParsesAsANameOrIsNameInvalid() {
        qt().withExamples(3000).forAll(strings().ascii().ofLengthBetween(0, 40)).checkAssert(s -> {
            try {
                RepositoryName name = RepositoryName.parse(s);
                assertThat(name.value()).isEqualTo(s).doesNotContain("..").doesNotStartWith("/");
            } catch (RegistryException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID);
            }
        });
    }

    // ------------------------------------------------------------------ Tag and Reference

    @ParameterizedTest
    @ValueSource(strings = {"latest", "1.0", "v1.2.3-rc.1", "_", "A_b-C.d", "sha256-abc.sig"})
    void validTagsParse(String tag) {
        assertThat(Tag.parse(tag).value()).isEqualTo(tag);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".a", "-a", "a:b", "a/b", "a b", "ä", "../x"})
    void invalidTagsAreTagInvalid(String tag) {
        assertThatThrownBy(() -> Tag.parse(tag)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TAG_INVALID));
    }

    @Test
    void tagsAreAtMost128Characters() {
        assertThat(Tag.parse("a".repeat(128)).value()).hasSize(128);
        assertThat(Tag.isValid("a".repeat(129))).isFalse();
    }

    @Test
    void referenceIsADigestWhenItHasAColonAndATagOtherwise() {
        assertThat(Reference.parse("latest")).isEqualTo(Reference.of(new Tag("latest")));
        assertThat(Reference.parse(EMPTY_SHA256).asDigest()).contains(Digest.parse(EMPTY_SHA256));
        assertThat(Reference.parse("latest").asDigest()).isEmpty();
        assertThat(Reference.parse("latest").toString()).isEqualTo("latest");
        assertThatThrownBy(() -> Reference.parse("sha256:nothex")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    @Test
    void controlCharactersFromClientsAreEscapedInMessages() {
        assertThatThrownBy(() -> RepositoryName.parse("evil\r\nINFO forged log line")).isInstanceOfSatisfying(
                RegistryException.class, e -> assertThat(e.detail()).contains("evil\\u000d\\u000aINFO")
                        .doesNotContain("\r").doesNotContain("\n"));
        assertThatThrownBy(() -> Tag.parse("a\u0000b")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).contains("a\\u0000b"));
        assertThatThrownBy(() -> Digest.parse("sha256:\n")).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.detail()).doesNotContain("\n"));
    }

    @Test
    void mediaTypesAreNormalised() {
        assertThat(MediaTypes.normalize("Application/VND.OCI.image.manifest.v1+JSON; charset=utf-8"))
                .isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(MediaTypes.normalize(" ")).isNull();
        assertThat(MediaTypes.normalize(null)).isNull();
        assertThat(MediaTypes.MANIFESTS.stream().sorted().collect(Collectors.toList())).hasSize(4);
    }
}
