package dev.berth.auth.htpasswd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cross-checks with the htpasswd binary itself: hashes it makes now, from seeded random passwords with unicode and
 * colons, verify here with the right password and not with a wrong one.
 */
class HtpasswdBinaryTest {
    private static final long SEED = 20261201L;
    /** ASCII with ':' and a space, Latin and CJK letters, and an emoji (four UTF-8 bytes, a surrogate pair). */
    private static final String[] ALPHABET = {
        "a", "b", "Z", "0", "9", ":", ":", " ", "!", "$", "\\", "\"", "'", "{", "é", "ß", "ü", "日", "本", "😀", "€",
    };

    @ParameterizedTest(name = "htpasswd {0}")
    @CsvSource({
        "-B -C 4, BCRYPT",
        "-m, APR1",
        "-s, SHA1",
        "-2, SHA256_CRYPT",
        "-2 -r 1234, SHA256_CRYPT",
        "-5, SHA512_CRYPT",
        "-d, DES_CRYPT",
    })
    void verifiesWhatTheBinaryMakesFromRandomPasswords(String flags, HashFormat format) throws Exception {
        Random random = new Random(SEED ^ flags.hashCode());
        for (int i = 0; i < 12; i++) {
            String password = randomPassword(random, 1 + random.nextInt(format == HashFormat.DES_CRYPT ? 8 : 40));
            String line = HtpasswdBinary.line("user" + i, password, flags.split(" "));
            HtpasswdFile file = HtpasswdFile.parse(line + "\n", "generated");
            String hash = file.storedHash("user" + i).orElseThrow(() -> new AssertionError("refused: " + line));
            assertThat(HashFormat.detect(hash)).contains(format);
            assertThat(file.verify("user" + i, password)).as("right password %s for %s", password, line).isTrue();
            assertThat(file.verify("user" + i, wrong(password))).as("wrong password for %s", line).isFalse();
        }
    }

    @Test
    void desCryptUsesTheFirstEightBytesLikeTheBinary() throws Exception {
        String line = HtpasswdBinary.line("u", "12345678-and-more", "-d");
        HtpasswdFile file = HtpasswdFile.parse(line, "generated");
        assertThat(file.verify("u", "12345678")).isTrue();
        assertThat(file.verify("u", "12345678 something else")).isTrue();
        assertThat(file.verify("u", "1234567")).isFalse();
    }

    @Test
    void bcryptOfLongPasswordsAgreesWithTheBinaryAtAndAround72Bytes(@TempDir Path dir) throws Exception {
        Random random = new Random(SEED);
        for (int length : new int[] {70, 71, 72, 73, 80, 100}) {
            String password = asciiPassword(random, length);
            String line = HtpasswdBinary.line("u", password, "-B", "-C", "4");
            Path f = dir.resolve("f" + length);
            Files.writeString(f, line + "\n");
            HtpasswdFile file = HtpasswdFile.read(f);
            assertThat(file.verify("u", password)).as("%d bytes", length).isTrue();
            for (int prefix : new int[] {71, 72}) {
                if (prefix < length) {
                    String cut = password.substring(0, prefix);
                    assertThat(file.verify("u", cut)).as("first %d of %d bytes", prefix, length)
                            .isEqualTo(HtpasswdBinary.verifies(f, "u", cut));
                }
            }
        }
        // What the binary says, pinned: the first 72 bytes of a longer password are its password, 71 are not.
        String password = asciiPassword(random, 80);
        Path f = dir.resolve("pinned");
        Files.writeString(f, HtpasswdBinary.line("u", password, "-B", "-C", "4") + "\n");
        assertThat(HtpasswdBinary.verifies(f, "u", password.substring(0, 72))).isTrue();
        assertThat(HtpasswdBinary.verifies(f, "u", password.substring(0, 71))).isFalse();
    }

    @Test
    void aFileOfEveryFormatVerifiesEachUser() throws Exception {
        Random random = new Random(SEED + 1);
        List<String> lines = new ArrayList<>();
        List<String> passwords = new ArrayList<>();
        String[][] flags = {{"-B", "-C", "4"}, {"-m"}, {"-s"}, {"-2"}, {"-5"}, {"-d"}};
        for (int i = 0; i < flags.length; i++) {
            String password = randomPassword(random, 8);
            passwords.add(password);
            lines.add(HtpasswdBinary.line("user" + i, password, flags[i]));
        }
        HtpasswdFile file = HtpasswdFile.parse(String.join("\r\n", lines), "generated");
        assertThat(file.users()).hasSize(flags.length);
        assertThat(file.warnings()).isEmpty();
        for (int i = 0; i < flags.length; i++) {
            assertThat(file.verify("user" + i, passwords.get(i))).isTrue();
            assertThat(file.verify("user" + i, passwords.get((i + 1) % flags.length))).isFalse();
        }
    }

    private static String randomPassword(Random random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        String s = b.toString();
        // htpasswd -i reads a line; keep the password's ends free of blanks so that nothing can be trimmed off.
        return "<" + s + ">";
    }

    private static String asciiPassword(Random random, int length) {
        StringBuilder b = new StringBuilder();
        while (b.length() < length) {
            b.append((char) ('!' + random.nextInt(94)));
        }
        return b.toString();
    }

    /** A different password that a DES crypt (8 bytes, 7 bits each) also tells apart: change the first byte. */
    private static String wrong(String password) {
        byte[] b = password.getBytes(StandardCharsets.UTF_8);
        b[0] = (byte) (b[0] == 'x' ? 'y' : 'x');
        return new String(b, StandardCharsets.UTF_8);
    }
}
