package dev.berth.auth.htpasswd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The committed fixture, made with the real htpasswd binary (see its header), and the file format's rules. */
class HtpasswdFileTest {
    private static final String LONG_PASSWORD = "0123456789".repeat(8);
    private static String fixture;
    private static HtpasswdFile file;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = HtpasswdFileTest.class.getResourceAsStream("/all-formats.htpasswd")) {
            fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        file = HtpasswdFile.parse(fixture, "all-formats.htpasswd");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bcrypt, bcrypt-secret",
        "apr1, apr1-secret",
        "sha1, sha1-secret",
        "sha256, sha256-secret",
        "sha512, sha512-secret",
        "sha256rounds, sha256-rounds-secret",
        "crypt, cryptpw",
    })
    void verifiesEachFormatWithTheRightPasswordOnly(String user, String password) {
        assertThat(file.verify(user, password)).isTrue();
        assertThat(file.verify(user, password + "x")).isFalse();
        assertThat(file.verify(user, password.substring(1))).isFalse();
        assertThat(file.verify(user, "")).isFalse();
    }

    @Test
    void detectsEachFormat() {
        Map<String, HashFormat> formats = file.users().stream().collect(Collectors.toMap(u -> u,
                u -> HashFormat.detect(file.storedHash(u).orElseThrow()).orElseThrow()));
        assertThat(formats).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bcrypt", HashFormat.BCRYPT, "long", HashFormat.BCRYPT, "apr1", HashFormat.APR1,
                "sha1", HashFormat.SHA1, "sha256", HashFormat.SHA256_CRYPT, "sha256rounds", HashFormat.SHA256_CRYPT,
                "sha512", HashFormat.SHA512_CRYPT, "crypt", HashFormat.DES_CRYPT));
    }

    @Test
    void refusesPlainTextEvenWithTheRightPassword() {
        assertThat(file.users()).doesNotContain("plain");
        assertThat(file.verify("plain", "plain-secret")).isFalse();
        assertThat(file.warnings()).singleElement().asString()
                .contains("line 19", "'plain'", "plain text")
                .doesNotContain("plain-secret");
    }

    @Test
    void refusesAnUnknownFormatAndSaysWhichLine() {
        HtpasswdFile f = HtpasswdFile.parse("# header\nmd5:$1$abcdefgh$0123456789012345678901\n", "f");
        assertThat(f.users()).isEmpty();
        assertThat(f.verify("md5", "anything")).isFalse();
        assertThat(f.warnings()).singleElement().asString()
                .contains("line 2", "'md5'", "format").doesNotContain("$1$");
    }

    @ParameterizedTest
    @CsvSource({"$2a$", "$2b$"})
    void verifiesTheOtherBcryptPrefixesOfTheSameHash(String prefix) {
        String y = file.storedHash("bcrypt").orElseThrow();
        assertThat(y).startsWith("$2y$");
        HtpasswdFile f = HtpasswdFile.parse("u:" + prefix + y.substring(4) + "\n", "f");
        assertThat(f.verify("u", "bcrypt-secret")).isTrue();
        assertThat(f.verify("u", "bcrypt-secreT")).isFalse();
    }

    @Test
    void bcryptUsesTheFirst72BytesOfALongerPasswordAsApacheDoes() {
        assertThat(LONG_PASSWORD.getBytes(StandardCharsets.UTF_8)).hasSize(80);
        assertThat(file.verify("long", LONG_PASSWORD)).isTrue();
        // What the binary made is a hash of the first 72 bytes: those alone verify (htpasswd -v agrees, see
        // HtpasswdBinaryTest), anything that changes them does not, and bytes past 72 do not matter.
        assertThat(file.verify("long", LONG_PASSWORD.substring(0, 72))).isTrue();
        assertThat(file.verify("long", LONG_PASSWORD.substring(0, 72) + "anything else")).isTrue();
        assertThat(file.verify("long", LONG_PASSWORD.substring(0, 71))).isFalse();
        assertThat(file.verify("long", "X" + LONG_PASSWORD.substring(1))).isFalse();
    }

    @Test
    void ignoresCommentsBlankLinesAndCarriageReturns() {
        String apr1 = file.storedHash("apr1").orElseThrow();
        HtpasswdFile f = HtpasswdFile.parse("# comment\r\n\r\n   \r\n  # indented comment\r\napr1:" + apr1 + "\r\n",
                "f");
        assertThat(f.users()).containsExactly("apr1");
        assertThat(f.verify("apr1", "apr1-secret")).isTrue();
        assertThat(f.warnings()).isEmpty();
    }

    @Test
    void ignoresWhatFollowsASecondColonAsApacheDoes() {
        String sha = file.storedHash("sha1").orElseThrow();
        HtpasswdFile f = HtpasswdFile.parse("sha1:" + sha + ":Some Comment\n", "f");
        assertThat(f.verify("sha1", "sha1-secret")).isTrue();
    }

    @Test
    void theFirstLineOfADuplicatedUserWins() {
        String first = file.storedHash("sha1").orElseThrow();
        String second = file.storedHash("apr1").orElseThrow();
        HtpasswdFile f = HtpasswdFile.parse("u:" + first + "\nu:" + second + "\n", "f");
        assertThat(f.verify("u", "sha1-secret")).isTrue();
        assertThat(f.verify("u", "apr1-secret")).isFalse();
        assertThat(f.warnings()).singleElement().asString().contains("line 2", "'u'")
                .doesNotContain(first, second);
    }

    @Test
    void aRefusedFirstLineIsNotReplacedByALaterOne() {
        String sha = file.storedHash("sha1").orElseThrow();
        HtpasswdFile f = HtpasswdFile.parse("u:plaintext\nu:" + sha + "\n", "f");
        assertThat(f.verify("u", "sha1-secret")).isFalse();
        assertThat(f.warnings()).hasSize(2);
    }

    @Test
    void aLineWithoutAColonIsAnErrorOfTheFileNamingTheLine() {
        assertThatThrownBy(() -> HtpasswdFile.parse("# c\nalice:{SHA}x\nbob-secret-hash\n", "some/file"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("some/file").hasMessageContaining("line 3")
                .hasMessageNotContaining("bob-secret-hash");
    }

    @Test
    void anEmptyUserNameIsAnErrorOfTheFileNamingTheLine() {
        assertThatThrownBy(() -> HtpasswdFile.parse(":$apr1$iF7LU7VD$mhAGaoi0MTmm6GUEUHprs1\n", "f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1").hasMessageContaining("empty")
                .hasMessageNotContaining("$apr1$");
    }

    @Test
    void aBcryptHashWithAnOutOfRangeCostIsRefusedNotThrown() {
        HtpasswdFile f = HtpasswdFile.parse("u:$2y$99$xWePRnko9jrj2RBQTPe1A.1rfJwvs./vT48pslyAKac7BvMYLybNq\n", "f");
        assertThat(f.users()).isEmpty();
        assertThat(f.verify("u", "bcrypt-secret")).isFalse();
    }

    @Test
    void anUnknownUserCostsABcryptVerificationLikeAKnownOne() {
        long before = file.bcryptVerifications();
        assertThat(file.verify("nobody", "bcrypt-secret")).isFalse();
        assertThat(file.bcryptVerifications()).isEqualTo(before + 1);
        assertThat(file.verify("plain", "plain-secret")).isFalse(); // refused: treated as unknown
        assertThat(file.bcryptVerifications()).isEqualTo(before + 2);
        assertThat(file.verify("bcrypt", "wrong")).isFalse();
        assertThat(file.bcryptVerifications()).isEqualTo(before + 3);
    }

    @Test
    void theDummyForAnUnknownUserHasTheCostOfTheFirstBcryptEntry() {
        assertThat(file.dummyHash()).startsWith("$2y$05$").isNotEqualTo(file.storedHash("bcrypt").orElseThrow());
        // Timings are printed, not asserted (a busy CI machine would make that flaky): the counter test above and
        // the dummy's cost are the proof.
        long unknown = medianNanos(() -> file.verify("nobody", "wrong"));
        long known = medianNanos(() -> file.verify("bcrypt", "wrong"));
        System.out.printf("cost 5: unknown user %.2f ms, known user with a wrong password %.2f ms (medians of 15)%n",
                unknown / 1e6, known / 1e6);
    }

    @Test
    void aFileWithoutBcryptEntriesMakesItsDummyLikeItsFirstEntry() {
        String apr1 = file.storedHash("apr1").orElseThrow();
        HtpasswdFile f = HtpasswdFile.parse("apr1:" + apr1 + "\n", "f");
        assertThat(f.dummyHash()).startsWith("$apr1$").isNotEqualTo(apr1);
        assertThat(f.verify("nobody", "apr1-secret")).isFalse();
        assertThat(f.bcryptVerifications()).isZero();
    }

    @Test
    void anEmptyFileKnowsNobody() {
        HtpasswdFile f = HtpasswdFile.parse("", "f");
        assertThat(f.users()).isEmpty();
        assertThat(f.dummyHash()).startsWith("$2y$10$");
        assertThat(f.verify("anyone", "x")).isFalse();
        assertThat(f.bcryptVerifications()).isEqualTo(1);
    }

    @Test
    void verifiesRawPasswordBytes() {
        byte[] pw = "sha1-secret".getBytes(StandardCharsets.UTF_8);
        assertThat(file.verify("sha1", pw)).isTrue();
        assertThat(file.verify("sha1", Arrays.copyOf(pw, pw.length - 1))).isFalse();
    }

    static long medianNanos(Runnable r) {
        long[] t = new long[15];
        r.run(); // warm up
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            r.run();
            t[i] = System.nanoTime() - start;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
