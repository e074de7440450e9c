package dev.berth.auth.htpasswd;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication against an Apache htpasswd file, as distribution's {@code auth: htpasswd} does.
 *
 * <p>What it promises:
 * <ul>
 * <li>No {@code Authorization} header, or Basic with an empty user name and password (what skopeo and podman send
 *     when they have no credentials): anonymous. {@code Basic} credentials (scheme in any case) that are good:
 *     authenticated as {@link Principal#user(String) the user}; wrong user or wrong password: the same rejection
 *     ("wrong user name or password") after about the same time (see {@link HtpasswdFile}); undecodable: "malformed
 *     basic credentials"; any other scheme, {@code Bearer} included: "this registry takes basic credentials".</li>
 * <li>The file is re-read when it changes, without a restart: at most once a second a request looks at its
 *     modification time, size and file key (following symlinks, so a Kubernetes secret swapped under
 *     {@code ..data} is seen). A file that cannot be read or has a malformed line leaves the last good one in force
 *     and is reported once at WARN.</li>
 * <li>Successful verifications are remembered for a short time ({@code cachettl}) so that bcrypt, some 60-80 ms at
 *     cost 10, does not run on every request of a pull. The cache is keyed by an HMAC (with a key made for this
 *     process) of user and password, never the password; it is emptied when the file reloads, and an entry only
 *     counts while the user's stored hash is the one it was made with. Failures are not remembered.</li>
 * <li>No password, hash or header value reaches a log line, an exception or a rejection reason.</li>
 * </ul>
 *
 * <p>Thread-safe; {@link #close()} holds nothing open (there is no watcher thread) and only empties the cache.
 *
 * <pre>{@code
 * Authenticator auth = HtpasswdAuthenticator.fromFile(Path.of("/etc/berth/htpasswd"));
 * AccessGuard guard = AccessGuard.of(auth);
 * }</pre>
 */
public final class HtpasswdAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdAuthenticator.class);

    public static final String DEFAULT_REALM = "Berth registry";
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);
    /** Enough for every user of a registry to be remembered, few enough that memory stays in the megabytes. */
    static final int CACHE_SIZE = 10_000;
    /** How often a request may look at the file; a stat a second is nothing and a change is seen within one. */
    static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String realm;
    private final Path path;
    private final Ticker ticker;
    private final Cache<String, CachedLogin> cache; // null when cachettl is 0
    private final SecretKeySpec cacheKey;
    /** One initialised MAC per request thread: looking up and keying a Mac on every request costs more than using it. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);
    private final LongAdder bcryptVerifications = new LongAdder();
    private final LongAdder fileVerifications = new LongAdder();
    private final AtomicLong nextCheck;

    private volatile HtpasswdFile current;
    // Guarded by "this" (only checkNow writes them).
    private Stamp lastStamp;
    private String lastProblem;

    /** A remembered good login: the user it was for and the stored hash it was verified against. */
    private record CachedLogin(String user, String storedHash) {
    }

    /** What tells that a file changed: replaced (file key), rewritten (time) or appended to (size). */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static Stamp of(Path path) throws IOException {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        }
    }

    /** The file at {@code path}, the realm {@value #DEFAULT_REALM} and a verification cache of 60 seconds. */
    public static HtpasswdAuthenticator fromFile(Path path) {
        return new HtpasswdAuthenticator(DEFAULT_REALM, path);
    }

    /**
     * Reads {@code path} now, with a verification cache of {@link #DEFAULT_CACHE_TTL 60 seconds}.
     *
     * @throws IllegalArgumentException naming {@code auth.htpasswd.path} when the file cannot be read or is malformed
     */
    public HtpasswdAuthenticator(String realm, Path path) {
        this(realm, path, DEFAULT_CACHE_TTL);
    }

    /**
     * Reads {@code path} now.
     *
     * @param realm    the realm of the {@code WWW-Authenticate} challenge
     * @param cacheTtl how long a successful verification is remembered; {@link Duration#ZERO} remembers none
     * @throws IllegalArgumentException naming {@code auth.htpasswd.path} when the file cannot be read or is malformed
     */
    public HtpasswdAuthenticator(String realm, Path path, Duration cacheTtl) {
        this(realm, path, cacheTtl, Ticker.systemTicker());
    }

    HtpasswdAuthenticator(String realm, Path path, Duration cacheTtl, Ticker ticker) {
        Objects.requireNonNull(realm, "realm");
        if (realm.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("auth.htpasswd.realm must not contain control characters");
        }
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("auth.htpasswd.cachettl must not be negative: " + cacheTtl);
        }
        this.realm = realm;
        this.path = Objects.requireNonNull(path, "path");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.cache = cacheTtl.isZero() ? null : CacheBuilder.newBuilder()
                .maximumSize(CACHE_SIZE)
                .expireAfterWrite(cacheTtl)
                .ticker(ticker)
                .build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
        try {
            this.lastStamp = Stamp.of(path);
            this.current = HtpasswdFile.read(path, bcryptVerifications);
        } catch (IOException e) {
            throw new IllegalArgumentException("auth.htpasswd.path: cannot read " + path + ": " + describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("auth.htpasswd.path: " + Failures.describe(e), e);
        }
        this.nextCheck = new AtomicLong(ticker.read() + CHECK_INTERVAL_NANOS);
        LOG.info("htpasswd file {} read: {}", path, users(current));
    }

    @Override
    public Authentication authenticate(AuthRequest request) {
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty()) {
            return Authentication.ANONYMOUS;
        }
        String value = header.get().strip();
        int space = indexOfWhitespace(value);
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.equalsIgnoreCase("Basic")) {
            return Authentication.rejected("this registry takes basic credentials");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(space < 0 ? "" : value.substring(space).strip());
        } catch (IllegalArgumentException e) {
            return Authentication.rejected("malformed basic credentials");
        }
        try {
            if (decoded.length == 1 && decoded[0] == ':') {
                // containers/image (skopeo, podman, buildah) answers a Basic challenge with empty credentials when
                // it has none: that is an anonymous caller, who may still pull what anonymous callers may.
                return Authentication.ANONYMOUS;
            }
            int colon = indexOf(decoded, (byte) ':');
            if (colon <= 0) {
                return Authentication.rejected("malformed basic credentials");
            }
            String user;
            try {
                user = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(decoded, 0, colon)).toString();
            } catch (CharacterCodingException e) {
                return Authentication.rejected("malformed basic credentials");
            }
            byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
            try {
                return verify(user, password)
                        ? Authentication.authenticated(Principal.user(user))
                        : Authentication.rejected("wrong user name or password");
            } finally {
                Arrays.fill(password, (byte) 0);
            }
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
    }

    private boolean verify(String user, byte[] password) {
        reloadIfDue();
        HtpasswdFile file = current;
        String key = cache == null ? null : cacheKey(user, password);
        if (key != null) {
            CachedLogin hit = cache.getIfPresent(key);
            // The hash check covers a login verified against the previous file and cached after the reload
            // emptied the cache.
            if (hit != null && hit.user().equals(user)
                    && file.storedHash(user).filter(hit.storedHash()::equals).isPresent()) {
                return true;
            }
        }
        fileVerifications.increment();
        boolean ok = file.verify(user, password);
        if (ok && key != null) {
            cache.put(key, new CachedLogin(user, file.storedHash(user).orElseThrow()));
        }
        return ok;
    }

    private String cacheKey(String user, byte[] password) {
        Mac mac = macs.get();
        mac.update(user.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(password);
        return HexFormat.of().formatHex(mac.doFinal()); // doFinal also resets the MAC for the next request
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(cacheKey);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** One request a second, the one that wins the race, looks at the file; the others go on with what is loaded. */
    private void reloadIfDue() {
        long now = ticker.read();
        long due = nextCheck.get();
        if (now - due >= 0 && nextCheck.compareAndSet(due, now + CHECK_INTERVAL_NANOS)) {
            checkNow();
        }
    }

    /** Re-reads the file if it changed since it was last read. Package-private so tests need not wait. */
    synchronized void checkNow() {
        Stamp stamp;
        try {
            stamp = Stamp.of(path);
        } catch (IOException e) {
            problem("htpasswd file " + path + " cannot be read: " + describe(e));
            return;
        }
        if (stamp.equals(lastStamp)) {
            return;
        }
        HtpasswdFile fresh;
        try {
            fresh = HtpasswdFile.read(path, bcryptVerifications);
        } catch (IOException e) {
            // Not remembered as seen: a file caught mid-replacement is tried again at the next check.
            problem("htpasswd file " + path + " cannot be read: " + describe(e));
            return;
        } catch (IllegalArgumentException e) {
            // Malformed until it changes again, so it is read (and reported) once per change, never once a second.
            lastStamp = stamp;
            lastProblem = null;
            problem(Failures.describe(e));
            return;
        }
        lastStamp = stamp;
        lastProblem = null;
        current = fresh;
        if (cache != null) {
            cache.invalidateAll();
        }
        LOG.info("htpasswd file {} reloaded: {}", path, users(fresh));
    }

    /** Warns, but not again and again: an unreadable file would otherwise be reported at every check. */
    private void problem(String why) {
        if (!why.equals(lastProblem)) {
            LOG.warn("{}; keeping the last good one ({})", why, users(current));
            lastProblem = why;
        }
    }

    @Override
    public String challenge(List<Scope> wanted) {
        return "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /** The file now in force. */
    HtpasswdFile file() {
        return current;
    }

    /** bcrypt verifications run by the files this authenticator loaded (dummy ones included), for tests. */
    long bcryptVerifications() {
        return bcryptVerifications.sum();
    }

    /** Verifications that went to the file, i.e. were not answered by the cache, for tests. */
    long fileVerifications() {
        return fileVerifications.sum();
    }

    @Override
    public String toString() {
        return "htpasswd[" + path + "]";
    }

    private static String users(HtpasswdFile file) {
        int n = file.users().size();
        return n == 1 ? "1 user" : n + " users";
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return Failures.describe(e);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
