package dev.berth.auth.htpasswd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HtpasswdAuthenticatorTest {
    private static final Authentication WRONG = Authentication.rejected("wrong user name or password");
    private static final Authentication MALFORMED = Authentication.rejected("malformed basic credentials");

    @TempDir
    Path dir;
    Path file;
    final FakeTicker ticker = new FakeTicker();
    Instant mtime = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeEach
    void writeFile() throws Exception {
        file = dir.resolve("htpasswd");
        write(file, HtpasswdBinary.line("alice", "alice-pw", "-B", "-C", "4"),
                HtpasswdBinary.line("bob", "bob:pw é", "-m"));
    }

    @Test
    void noHeaderIsAnonymous() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(AuthRequest.of(Map.of(), "10.0.0.1"))).isEqualTo(Authentication.ANONYMOUS);
        }
    }

    @Test
    void emptyBasicCredentialsAsContainersImageSendsThemAreAnonymousButAnEmptyUserWithAPasswordIsNot() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(header("Basic " + b64(":")))).isEqualTo(Authentication.ANONYMOUS);
            assertThat(auth.authenticate(header("Basic " + b64(":alice-pw"))))
                    .isInstanceOf(Authentication.Rejected.class);
            assertThat(auth.authenticate(header("Basic " + b64("alice:")))).isInstanceOf(Authentication.Rejected.class);
        }
    }

    @Test
    void goodCredentialsAuthenticateTheUser() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(basic("alice", "alice-pw")))
                    .isEqualTo(Authentication.authenticated(Principal.user("alice")));
            // The password may contain ':' (only the first one separates) and is compared as UTF-8 bytes.
            assertThat(auth.authenticate(basic("bob", "bob:pw é")))
                    .isEqualTo(Authentication.authenticated(Principal.user("bob")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic", "basic", "BASIC", "bAsIc"})
    void theSchemeIsCaseInsensitive(String scheme) {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(header(scheme + "  " + b64("alice:alice-pw"))))
                    .isInstanceOf(Authentication.Authenticated.class);
        }
    }

    @Test
    void anUnknownUserAndAWrongPasswordGetTheSameAnswer() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(basic("alice", "bob:pw é"))).isEqualTo(WRONG);
            assertThat(auth.authenticate(basic("mallory", "alice-pw"))).isEqualTo(WRONG);
            assertThat(auth.authenticate(basic("Alice", "alice-pw"))).isEqualTo(WRONG);
        }
    }

    @Test
    void anUnknownUserRunsABcryptVerification() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            long before = auth.bcryptVerifications();
            for (int i = 0; i < 15; i++) {
                auth.authenticate(basic("mallory" + i, "x"));
            }
            assertThat(auth.bcryptVerifications()).isEqualTo(before + 15);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic", "Basic ", "Basic !!!notbase64", "Basic YWxpY2U=" /* alice, no colon */,
        "Basic OnB3" /* :pw, empty user */, "Basic /w==" /* 0xff, no colon */, "Basic //86cHc=" /* bad UTF-8 */})
    void malformedCredentialsAreRejected(String value) {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(header(value))).isEqualTo(MALFORMED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer eyJhbGciOiJub25lIn0.e30.", "Digest username=\"alice\"", "Negotiate"})
    void otherSchemesAreRejected(String value) {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(header(value)))
                    .isEqualTo(Authentication.rejected("this registry takes basic credentials"));
        }
    }

    @Test
    void theChallengeNamesTheRealmQuoted() throws Exception {
        try (var auth = new HtpasswdAuthenticator("Berth \"prod\" \\ eu", file)) {
            Scope wanted = Scope.repository(RepositoryName.parse("team/app"), EnumSet.of(Action.PULL));
            assertThat(auth.challenge(List.of(wanted))).isEqualTo("Basic realm=\"Berth \\\"prod\\\" \\\\ eu\"");
            assertThat(auth.challenge(List.of())).isEqualTo("Basic realm=\"Berth \\\"prod\\\" \\\\ eu\"");
            assertThat(auth.acceptsCredentials()).isTrue();
        }
        try (var auth = HtpasswdAuthenticator.fromFile(file)) {
            assertThat(auth.challenge(List.of())).isEqualTo("Basic realm=\"Berth registry\"");
        }
    }

    @Test
    void aRealmWithALineBreakIsRefused() {
        assertThatThrownBy(() -> new HtpasswdAuthenticator("a\r\nSet-Cookie: x", file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("realm");
    }

    // --- reload ---

    @Test
    void aRewrittenFileIsReadAgainWithinASecond() throws Exception {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
            write(file, HtpasswdBinary.line("alice", "new-pw", "-B", "-C", "4"));

            // Checked at most once a second: still the old file.
            assertThat(auth.authenticate(basic("alice", "new-pw"))).isEqualTo(WRONG);
            ticker.advance(Duration.ofMillis(1001));
            assertThat(auth.authenticate(basic("alice", "new-pw"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isEqualTo(WRONG); // cached, yet not accepted
            assertThat(auth.authenticate(basic("bob", "bob:pw é"))).isEqualTo(WRONG); // gone from the file
        }
    }

    @Test
    void aReloadEmptiesTheCacheSoAChangedPasswordIsNotAcceptedFromIt() throws Exception {
        try (var auth = authenticator(Duration.ofHours(1))) {
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.fileVerifications()).isEqualTo(1);

            write(file, HtpasswdBinary.line("alice", "changed", "-m"), HtpasswdBinary.line("bob", "bob:pw é", "-m"));
            auth.checkNow();
            long before = auth.fileVerifications();
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isEqualTo(WRONG);
            assertThat(auth.fileVerifications()).isEqualTo(before + 1);
            assertThat(auth.authenticate(basic("alice", "changed"))).isInstanceOf(Authentication.Authenticated.class);
        }
    }

    @Test
    void aBrokenFileKeepsTheLastGoodOne() throws Exception {
        try (var auth = authenticator(Duration.ZERO)) {
            write(file, HtpasswdBinary.line("alice", "new-pw", "-m"), "this line has no colon");
            auth.checkNow();
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.authenticate(basic("alice", "new-pw"))).isEqualTo(WRONG);

            Files.delete(file);
            auth.checkNow();
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);

            write(file, HtpasswdBinary.line("alice", "fixed", "-m"));
            auth.checkNow();
            assertThat(auth.authenticate(basic("alice", "fixed"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isEqualTo(WRONG);
        }
    }

    @Test
    void aSecretSwappedUnderASymlinkIsSeenEvenWithTheSameTimeAndSize() throws Exception {
        // Kubernetes mounts a secret as htpasswd -> ..data/htpasswd, ..data -> ..2026_v1, and swaps ..data.
        Path v1 = Files.createDirectory(dir.resolve("..v1"));
        Path v2 = Files.createDirectory(dir.resolve("..v2"));
        write(v1.resolve("htpasswd"), HtpasswdBinary.line("carol", "one", "-s"));
        write(v2.resolve("htpasswd"), HtpasswdBinary.line("carol", "two", "-s"));
        FileTime same = Files.getLastModifiedTime(v1.resolve("htpasswd"));
        Files.setLastModifiedTime(v2.resolve("htpasswd"), same);
        assertThat(Files.size(v2.resolve("htpasswd"))).isEqualTo(Files.size(v1.resolve("htpasswd")));
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path secret = Files.createSymbolicLink(dir.resolve("secret"), Path.of("..data", "htpasswd"));
        try (var auth = new HtpasswdAuthenticator("r", secret, Duration.ofHours(1), ticker)) {
            assertThat(auth.authenticate(basic("carol", "one"))).isInstanceOf(Authentication.Authenticated.class);
            Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(next, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ticker.advance(Duration.ofSeconds(2));
            assertThat(auth.authenticate(basic("carol", "two"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.authenticate(basic("carol", "one"))).isEqualTo(WRONG);
        }
    }

    @Test
    void concurrentLoginsDuringReloadsSeeOneFileOrTheOther() throws Exception {
        write(file, HtpasswdBinary.line("dave", "old", "-m"));
        String oldFile = Files.readString(file);
        String newFile = HtpasswdBinary.line("dave", "new", "-m") + "\n";
        try (var auth = new HtpasswdAuthenticator("r", file, Duration.ofSeconds(60), ticker)) {
            var pool = Executors.newFixedThreadPool(8);
            var logins = new AtomicInteger();
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    results.add(pool.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            Authentication a = auth.authenticate(basic("dave", i % 2 == 0 ? "old" : "new"));
                            assertThat(a).isIn(WRONG, Authentication.authenticated(Principal.user("dave")));
                            logins.incrementAndGet();
                            ticker.advance(Duration.ofMillis(50));
                        }
                        return null;
                    }));
                }
                // 20 rewrites spread over the 1,600 logins, however the threads are scheduled.
                for (int i = 0; i < 20; i++) {
                    while (logins.get() < i * 80 && !results.stream().allMatch(Future::isDone)) {
                        Thread.sleep(1);
                    }
                    write(file, i % 2 == 0 ? newFile : oldFile);
                }
                for (var r : results) {
                    r.get(); // rethrows an assertion error from a worker
                }
            } finally {
                pool.shutdownNow();
            }
            write(file, newFile);
            auth.checkNow();
            assertThat(auth.authenticate(basic("dave", "new"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.authenticate(basic("dave", "old"))).isEqualTo(WRONG);
        }
    }

    // --- cache ---

    @Test
    void aSecondVerificationOfTheSameCredentialsComesFromTheCache() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            long bcrypt = auth.bcryptVerifications();
            for (int i = 0; i < 5; i++) {
                assertThat(auth.authenticate(basic("alice", "alice-pw")))
                        .isInstanceOf(Authentication.Authenticated.class);
            }
            assertThat(auth.bcryptVerifications()).isEqualTo(bcrypt + 1);
            assertThat(auth.fileVerifications()).isEqualTo(1);
        }
    }

    @Test
    void aWrongPasswordIsNeverCached() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            long bcrypt = auth.bcryptVerifications();
            for (int i = 0; i < 3; i++) {
                assertThat(auth.authenticate(basic("alice", "nope"))).isEqualTo(WRONG);
            }
            assertThat(auth.bcryptVerifications()).isEqualTo(bcrypt + 3);
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
            // A cached success for alice does not vouch for another password, nor for another user.
            assertThat(auth.authenticate(basic("alice", "alice-pw2"))).isEqualTo(WRONG);
            assertThat(auth.authenticate(basic("bob", "alice-pw"))).isEqualTo(WRONG);
            assertThat(auth.fileVerifications()).isEqualTo(6);
        }
    }

    @Test
    void aCachedVerificationExpiresAfterTheTtl() {
        try (var auth = authenticator(Duration.ofSeconds(60))) {
            auth.authenticate(basic("alice", "alice-pw"));
            ticker.advance(Duration.ofSeconds(59));
            auth.authenticate(basic("alice", "alice-pw"));
            assertThat(auth.fileVerifications()).isEqualTo(1);
            ticker.advance(Duration.ofSeconds(2));
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
            assertThat(auth.fileVerifications()).isEqualTo(2);
        }
    }

    @Test
    void aZeroTtlTurnsTheCacheOff() {
        try (var auth = authenticator(Duration.ZERO)) {
            auth.authenticate(basic("alice", "alice-pw"));
            auth.authenticate(basic("alice", "alice-pw"));
            assertThat(auth.fileVerifications()).isEqualTo(2);
        }
    }

    // --- factory ---

    @Test
    void theFactoryIsFoundByName() {
        try (Authenticator auth = AuthProviders.create("htpasswd", Map.of("realm", "r", "path", file.toString()))) {
            assertThat(auth).isInstanceOf(HtpasswdAuthenticator.class);
            assertThat(auth.challenge(List.of())).isEqualTo("Basic realm=\"r\"");
            assertThat(auth.authenticate(basic("alice", "alice-pw"))).isInstanceOf(Authentication.Authenticated.class);
        }
        assertThat(AuthProviders.available()).containsKey("htpasswd");
    }

    @Test
    void theFactoryDefaultsTheRealmAndTakesACacheTtl() {
        try (Authenticator auth = AuthProviders.create("htpasswd",
                Map.of("path", file.toString(), "cachettl", "5m"))) {
            assertThat(auth.challenge(List.of())).isEqualTo("Basic realm=\"Berth registry\"");
        }
    }

    @Test
    void theFactoryNamesAnUnknownParameter() {
        assertThatThrownBy(() -> AuthProviders.create("htpasswd",
                Map.of("path", file.toString(), "realm", "r", "pth", "x", "cache", 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pth").hasMessageContaining("cache,");
    }

    @Test
    void theFactoryNamesAMissingPath() {
        assertThatThrownBy(() -> AuthProviders.create("htpasswd", Map.of("realm", "r")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.htpasswd.path");
    }

    @Test
    void anUnreadableOrMalformedFileFailsAtStartupNamingThePath() throws Exception {
        assertThatThrownBy(() -> AuthProviders.create("htpasswd", Map.of("path", dir.resolve("absent").toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auth.htpasswd.path").hasMessageContaining("absent");
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "alice:{SHA}x\nno-colon-here\n");
        assertThatThrownBy(() -> HtpasswdAuthenticator.fromFile(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auth.htpasswd.path").hasMessageContaining("line 2")
                .hasMessageNotContaining("no-colon-here");
    }

    @Test
    void aMapOrListWhereAValueBelongsIsRefusedNamingTheKey() {
        Map<String, String> expected = Map.of("path", "a path", "realm", "a single value",
                "cachettl", "a duration such as 300ms, 30s, 5m or 1h30m");
        for (String key : List.of("path", "realm", "cachettl")) {
            Map<String, Object> p = new HashMap<>(Map.of("path", "/etc/htpasswd"));
            p.put(key, Map.of("s3cret", "x"));
            assertThatThrownBy(() -> new HtpasswdProviderFactory().create(p)).as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("auth.htpasswd." + key + ": expected " + expected.get(key) + ", found a map")
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void cacheTtlValues() {
        for (Object good : new Object[] {0, 30, "0", "90", "500ms", "2m", "1h", "1m30s"}) {
            new HtpasswdProviderFactory().create(Map.of("path", file.toString(), "cachettl", good)).close();
        }
        for (Object bad : new Object[] {"-1s", "soon", -3, 1.5, "1d"}) {
            assertThatThrownBy(() -> new HtpasswdProviderFactory().create(Map.of("path", file.toString(),
                    "cachettl", bad))).as("%s", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("auth.htpasswd.cachettl: ");
        }
    }

    // --- helpers ---

    private HtpasswdAuthenticator authenticator(Duration cacheTtl) {
        return new HtpasswdAuthenticator("test", file, cacheTtl, ticker);
    }

    /** Writes the lines and moves the modification time on by a minute, so that every rewrite is seen. */
    private void write(Path target, String... lines) throws Exception {
        Files.writeString(target, String.join("\n", lines) + "\n");
        mtime = mtime.plusSeconds(60);
        Files.setLastModifiedTime(target, FileTime.from(mtime));
    }

    static AuthRequest basic(String user, String password) {
        return header("Basic " + b64(user + ":" + password));
    }

    static AuthRequest header(String value) {
        return AuthRequest.of(Map.of("Authorization", value), "10.0.0.1");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
