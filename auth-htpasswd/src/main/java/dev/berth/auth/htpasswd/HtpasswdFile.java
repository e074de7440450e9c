package dev.berth.auth.htpasswd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Apache htpasswd file, parsed: one {@code user:hash} per line, {@code #} comments and blank lines ignored, CRLF
 * tolerated, anything after a second colon ignored (as Apache does). It verifies passwords in every format Apache's
 * {@code htpasswd} writes: bcrypt ({@code $2y$}, {@code $2a$}, {@code $2b$}), apr1 MD5, {@code {SHA}}, SHA-256 and
 * SHA-512 crypt and DES crypt.
 *
 * <p>What it promises:
 * <ul>
 * <li>Plain-text entries ({@code htpasswd -p}) and unknown formats are refused: the user cannot log in, and the
 *     line is reported by {@link #warnings()} (user name and line number, never the entry).</li>
 * <li>For a duplicated user the first line wins, as with Apache; the others are reported.</li>
 * <li>A line without a colon, or with an empty user name, makes the whole file malformed: an
 *     {@link IllegalArgumentException} naming the line number (never its content).</li>
 * <li>An unknown user costs about what a known user with a wrong password costs: the password is verified against
 *     a dummy hash made like the file's first bcrypt entry (else its first entry), so response times do not tell
 *     which users exist.</li>
 * <li>Hash comparisons are constant-time; no password or hash reaches a log line or an exception message.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HtpasswdFile {
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdFile.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The dummy for a file without a usable entry: bcrypt at the cost a new deployment would typically pick. */
    private static final int EMPTY_FILE_DUMMY_COST = 10;

    private record Entry(String hash, HashFormat format) {
    }

    private final Map<String, Entry> entries;
    /** Users whose (first) line was refused: they are treated exactly like unknown users. */
    private final Set<String> refused;
    private final List<String> warnings;
    private final Entry dummy;
    private final LongAdder bcryptVerifications;

    private HtpasswdFile(Map<String, Entry> entries, Set<String> refused, List<String> warnings,
            LongAdder bcryptVerifications) {
        this.entries = Collections.unmodifiableMap(entries);
        this.refused = Collections.unmodifiableSet(refused);
        this.warnings = List.copyOf(warnings);
        this.bcryptVerifications = bcryptVerifications;
        this.dummy = makeDummy(entries);
    }

    /**
     * Reads and parses {@code path} (UTF-8), logging each {@link #warnings() warning} at WARN.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when a line is malformed; the message names the file and line number
     */
    public static HtpasswdFile read(Path path) throws IOException {
        return read(path, new LongAdder());
    }

    static HtpasswdFile read(Path path, LongAdder bcryptVerifications) throws IOException {
        String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        HtpasswdFile file = parse(text, path.toString(), bcryptVerifications);
        for (String w : file.warnings) {
            LOG.warn("{}", w);
        }
        return file;
    }

    /**
     * Parses the text of an htpasswd file; nothing is logged (see {@link #warnings()}).
     *
     * @param source what to call the file in messages, e.g. its path
     * @throws IllegalArgumentException when a line is malformed; the message names the line number
     */
    public static HtpasswdFile parse(String text, String source) {
        return parse(text, source, new LongAdder());
    }

    static HtpasswdFile parse(String text, String source, LongAdder bcryptVerifications) {
        Objects.requireNonNull(text, "text");
        Map<String, Entry> entries = new LinkedHashMap<>();
        Set<String> refused = new HashSet<>();
        List<String> warnings = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip(); // also drops the CR of a CRLF line
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("htpasswd file " + source + " line " + number
                        + " is malformed: no ':' between user name and hash");
            }
            if (colon == 0) {
                throw new IllegalArgumentException("htpasswd file " + source + " line " + number
                        + " is malformed: the user name is empty");
            }
            String user = line.substring(0, colon);
            String rest = line.substring(colon + 1);
            int end = rest.indexOf(':');
            String hash = (end < 0 ? rest : rest.substring(0, end)).strip();
            if (entries.containsKey(user) || refused.contains(user)) {
                warnings.add("htpasswd file " + source + " line " + number + ": user '" + printable(user)
                        + "' appears again; the first line for this user is used");
                continue;
            }
            Optional<HashFormat> format = HashFormat.detect(hash);
            if (format.isPresent()) {
                entries.put(user, new Entry(hash, format.get()));
            } else {
                refused.add(user);
                boolean looksLikeHash = hash.startsWith("$") || hash.startsWith("{");
                warnings.add("htpasswd file " + source + " line " + number + ": user '" + printable(user) + "' "
                        + (looksLikeHash ? "has a hash in a format Berth does not know"
                                : "has no hash (plain text, as htpasswd -p writes, is refused)")
                        + "; this user cannot log in. Use htpasswd -B to set a bcrypt hash");
            }
        }
        return new HtpasswdFile(entries, refused, warnings, bcryptVerifications);
    }

    /**
     * Whether {@code password} is the password of {@code user}. An unknown or refused user is answered {@code false}
     * after a verification against the dummy hash, so that it takes as long as a wrong password.
     *
     * @param password the raw password bytes as the client sent them (UTF-8 for docker and podman)
     */
    public boolean verify(String user, byte[] password) {
        Objects.requireNonNull(password, "password");
        Entry entry = user == null ? null : entries.get(user);
        if (entry == null) {
            check(dummy, password);
            return false;
        }
        return check(entry, password);
    }

    /** {@link #verify(String, byte[])} of the password's UTF-8 bytes. */
    public boolean verify(String user, String password) {
        return verify(user, password.getBytes(StandardCharsets.UTF_8));
    }

    /** The users who can log in (plain-text and unknown-format entries excluded), in file order. */
    public Set<String> users() {
        return entries.keySet();
    }

    /** What was wrong but not fatal: refused entries and duplicates, by line number. Never contains a hash. */
    public List<String> warnings() {
        return warnings;
    }

    /** The stored hash of {@code user}, for the verification cache to see whether an entry changed. */
    Optional<String> storedHash(String user) {
        Entry e = entries.get(user);
        return e == null ? Optional.empty() : Optional.of(e.hash());
    }

    /** The hash an unknown user's password is verified against, for tests of its cost. */
    String dummyHash() {
        return dummy.hash();
    }

    /** How many bcrypt verifications ran (real and dummy), for tests; shared by files an authenticator loads. */
    long bcryptVerifications() {
        return bcryptVerifications.sum();
    }

    private boolean check(Entry entry, byte[] password) {
        if (entry.format() == HashFormat.BCRYPT) {
            bcryptVerifications.increment();
        }
        try {
            return entry.format().verify(password, entry.hash());
        } catch (RuntimeException e) {
            // A hashing library refusing input (e.g. a salt it rejects) is a failed login; its message may quote
            // the hash, so it is not logged.
            LOG.debug("password verification failed with {} ({} entry)", e.getClass().getSimpleName(),
                    entry.format().displayName());
            return false;
        }
    }

    private static Entry makeDummy(Map<String, Entry> entries) {
        Entry model = entries.values().stream().filter(e -> e.format() == HashFormat.BCRYPT).findFirst()
                .orElse(entries.values().stream().findFirst().orElse(null));
        if (model == null) {
            String hash = HashFormat.BCRYPT.dummyLike(
                    "$2y$" + EMPTY_FILE_DUMMY_COST + "$" + "x".repeat(53), RANDOM);
            return new Entry(hash, HashFormat.BCRYPT);
        }
        return new Entry(model.format().dummyLike(model.hash(), RANDOM), model.format());
    }

    /** A user name fit for a log line: control characters would let a file forge log lines. */
    private static String printable(String user) {
        StringBuilder b = new StringBuilder(user.length());
        user.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    @Override
    public String toString() {
        return "HtpasswdFile[" + entries.size() + " users]";
    }
}
