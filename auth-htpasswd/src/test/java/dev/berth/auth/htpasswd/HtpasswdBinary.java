package dev.berth.auth.htpasswd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Apache's real {@code htpasswd}. Its absence fails the test rather than skipping it: CI installs
 * apache2-utils, and a silently skipped cross-check would prove nothing.
 */
final class HtpasswdBinary {
    static final Path BINARY = Path.of("/usr/bin/htpasswd");

    private HtpasswdBinary() {
    }

    static void requirePresent() {
        if (!Files.isExecutable(BINARY)) {
            fail(BINARY + " is missing: install apache2-utils (CI does); the htpasswd cross-checks need the real binary");
        }
    }

    /**
     * The {@code user:hash} line {@code htpasswd -n -i <flags> user} prints. The password goes in on stdin as UTF-8
     * bytes, so that it reaches the binary unchanged whatever the locale would do to a command-line argument.
     */
    static String line(String user, String password, String... flags) throws IOException, InterruptedException {
        requirePresent();
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-n", "-i"));
        command.addAll(List.of(flags));
        command.add(user);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(password.getBytes(StandardCharsets.UTF_8));
            in.write('\n');
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("htpasswd finished").isTrue();
        assertThat(p.exitValue()).as("htpasswd exit status for " + command).isZero();
        assertThat(out).startsWith(user + ":");
        return out;
    }

    /** Whether {@code htpasswd -v} accepts {@code password} for {@code user} in {@code file}. */
    static boolean verifies(Path file, String user, String password) throws IOException, InterruptedException {
        requirePresent();
        Process p = new ProcessBuilder(BINARY.toString(), "-v", "-i", file.toString(), user)
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(password.getBytes(StandardCharsets.UTF_8));
            in.write('\n');
        }
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0;
    }
}
