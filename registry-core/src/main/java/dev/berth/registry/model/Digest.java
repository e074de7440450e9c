package dev.berth.registry.model;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:<64 hex>}. Only sha256 and sha512 are supported; a string that is not a
 * digest at all is {@link ErrorCode#DIGEST_INVALID}, a well-formed digest of another algorithm is
 * {@link ErrorCode#UNSUPPORTED_PARAMETERS} (the spec's UNSUPPORTED, answered 400), so that a client learns which of
 * the two it got wrong.
 */
public record Digest(Algorithm algorithm, String hex) implements Comparable<Digest> {

    /** The digest grammar of the OCI image spec. */
    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]+");

    /** The algorithms a registry of ours hashes with. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String id;
        private final String jcaName;
        private final int hexLength;

        Algorithm(String id, String jcaName, int hexLength) {
            this.id = id;
            this.jcaName = jcaName;
            this.hexLength = hexLength;
        }

        /** The name used in digests and storage paths: {@code sha256}. */
        public String id() {
            return id;
        }

        public int hexLength() {
            return hexLength;
        }

        public MessageDigest newMessageDigest() {
            try {
                return MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(jcaName + " is required of every Java platform", e);
            }
        }

        public static Algorithm fromId(String id) {
            for (Algorithm a : values()) {
                if (a.id.equals(id)) {
                    return a;
                }
            }
            throw new RegistryException(ErrorCode.UNSUPPORTED_PARAMETERS,
                    "unsupported digest algorithm '" + id + "' (supported: sha256, sha512)");
        }

        @Override
        public String toString() {
            return id;
        }
    }

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != algorithm.hexLength || !LOWER_HEX.matcher(hex).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid " + algorithm + " digest: expected "
                    + algorithm.hexLength + " lower-case hex characters, got '" + abbreviate(hex) + "'");
        }
    }

    /** Parses {@code algorithm:hex}; see the class comment for the two ways it can fail. */
    public static Digest parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "digest is missing");
        }
        if (text.length() > 256 || !GRAMMAR.matcher(text).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "invalid digest '" + abbreviate(text) + "': expected algorithm:hex, such as sha256:<64 hex>");
        }
        int colon = text.indexOf(':');
        return new Digest(Algorithm.fromId(text.substring(0, colon)), text.substring(colon + 1));
    }

    /** Whether {@code text} parses as a digest of a supported algorithm. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /** The digest of some bytes held in memory (manifests, small test payloads). */
    public static Digest of(Algorithm algorithm, byte[] bytes) {
        return fromBytes(algorithm, algorithm.newMessageDigest().digest(bytes));
    }

    public static Digest sha256(byte[] bytes) {
        return of(Algorithm.SHA256, bytes);
    }

    /** The digest a finished {@link MessageDigest} computed. */
    public static Digest fromBytes(Algorithm algorithm, byte[] digestBytes) {
        return new Digest(algorithm, HexFormat.of().formatHex(digestBytes));
    }

    /** True when this digest names exactly these bytes. */
    public boolean matches(byte[] bytes) {
        return equals(of(algorithm, bytes));
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return algorithm.id + ":" + hex;
    }

    /**
     * Client input as it may appear in an error message or a log line: at most 80 characters, control characters
     * escaped ({@code \n} → {@code \u000a}), so that a CR/LF sent in a name or digest cannot forge log lines.
     */
    static String abbreviate(String s) {
        String cut = s.length() <= 80 ? s : s.substring(0, 77) + "...";
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
