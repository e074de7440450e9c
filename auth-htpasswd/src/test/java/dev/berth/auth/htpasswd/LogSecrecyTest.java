package dev.berth.auth.htpasswd;

import static dev.berth.auth.htpasswd.HtpasswdAuthenticatorTest.basic;
import static dev.berth.auth.htpasswd.HtpasswdAuthenticatorTest.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.spi.auth.Authentication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing secret in the logs: slf4j-simple (debug for dev.berth, see simplelogger.properties) writes to whatever
 * System.err is at the time, so the test swaps it for a buffer while failed logins and broken files are logged.
 */
class LogSecrecyTest {
    @TempDir
    Path dir;

    @Test
    void failedLoginsAndBrokenFilesLogNoPasswordHashOrHeader() throws Exception {
        String bcryptLine = HtpasswdBinary.line("alice", "Correct-Horse-1", "-B", "-C", "4");
        String apr1Line = HtpasswdBinary.line("bob", "Battery-Staple-2", "-m");
        List<String> secrets = new ArrayList<>(List.of("Correct-Horse-1", "Battery-Staple-2", "Wrong-Guess-3",
                "Plain-Text-4", hashOf(bcryptLine), hashOf(apr1Line)));
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, bcryptLine + "\n" + apr1Line + "\ncarol:Plain-Text-4\n");
        FakeTicker ticker = new FakeTicker();

        String log = captureStderr(() -> {
            try (var auth = new HtpasswdAuthenticator("r", file, Duration.ofSeconds(60), ticker)) {
                AccessGuard guard = AccessGuard.of(auth);
                for (var request : List.of(basic("alice", "Wrong-Guess-3"), basic("bob", "Wrong-Guess-3"),
                        basic("carol", "Plain-Text-4"), basic("mallory", "Correct-Horse-1"),
                        header("Bearer Wrong-Guess-3"), header("Basic Wrong-Guess-3"))) {
                    assertThat(auth.authenticate(request)).isInstanceOf(Authentication.Rejected.class);
                    // AccessGuard logs the rejection at debug too, and the exception carries a message.
                    Throwable t = catchThrowable(() -> guard.identify(request));
                    secrets.forEach(s -> assertThat(t.getMessage()).doesNotContain(s));
                }
                // A broken file: a hash on one line, then a line that is nothing but a secret.
                Files.writeString(file, bcryptLine + "\nCorrect-Horse-1\n");
                Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
                ticker.advance(Duration.ofSeconds(2));
                auth.authenticate(basic("alice", "Wrong-Guess-3"));
                assertThat(auth.authenticate(basic("alice", "Correct-Horse-1")))
                        .isInstanceOf(Authentication.Authenticated.class);
            }
            Throwable t = catchThrowable(() -> HtpasswdAuthenticator.fromFile(file));
            secrets.forEach(s -> assertThat(t.getMessage()).doesNotContain(s));
        });

        // The capture worked: the warnings are there, by user and line number.
        assertThat(log).contains("line 3", "'carol'", "plain text")
                .contains("line 2 is malformed", "keeping the last good one");
        for (String s : secrets) {
            assertThat(log).as("log contains a secret").doesNotContain(s);
        }
        assertThat(log).doesNotContain("$2y$", "$apr1$", HtpasswdAuthenticatorTest.b64("alice:Wrong-Guess-3"));
    }

    private static String hashOf(String line) {
        return line.substring(line.indexOf(':') + 1);
    }

    private static String captureStderr(ThrowingRunnable r) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(original);
        }
        String log = buffer.toString(StandardCharsets.UTF_8);
        original.print(log); // still visible in the test's output
        return log;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
