package dev.berth.auth.htpasswd;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;

/**
 * The password hash formats Apache's {@code htpasswd} writes, each recognised by its exact shape and verified in
 * constant time. Plain text ({@code htpasswd -p}) is deliberately not among them.
 *
 * <p>The shapes are strict so that a string is only handed to a hashing routine it is valid for: commons-codec
 * throws on a malformed salt with the salt (that is, the stored hash) in the message, which must never surface.
 */
enum HashFormat {
    /** {@code htpasswd -B}: {@code $2y$}, and the {@code $2a$}/{@code $2b$} spellings of the same algorithm. */
    BCRYPT("bcrypt", "\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}") {
        @Override
        boolean verify(byte[] password, String hash) {
            // Apache (crypt_blowfish) uses the first 72 bytes of a longer password; the library's default strategy
            // would throw instead, so truncate as Apache does. The hash's own version ($2y$, $2a$, $2b$) is used.
            return VERIFYER.verify(password, hash.getBytes(StandardCharsets.US_ASCII)).verified;
        }

        @Override
        String dummyLike(String hash, SecureRandom random) {
            int cost = Integer.parseInt(hash.substring(4, 6));
            return BCrypt.with(BCrypt.Version.VERSION_2Y, random, TRUNCATE).hashToString(cost, randomChars(random));
        }
    },
    /** {@code htpasswd -m} (the default): Apache's MD5 variant, {@code $apr1$salt$hash}. */
    APR1("apr1 MD5", "\\$apr1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}") {
        @Override
        boolean verify(byte[] password, String hash) {
            return constantTimeEquals(Md5Crypt.apr1Crypt(password, hash), hash);
        }

        @Override
        String dummyLike(String hash, SecureRandom random) {
            return Md5Crypt.apr1Crypt(randomBytes(random), hash);
        }
    },
    /** {@code htpasswd -s}: unsalted {@code {SHA}base64(sha1(password))}. */
    SHA1("{SHA}", "\\{SHA\\}[A-Za-z0-9+/]{27}=") {
        @Override
        boolean verify(byte[] password, String hash) {
            return constantTimeEquals(sha1(password), hash);
        }

        @Override
        String dummyLike(String hash, SecureRandom random) {
            return sha1(randomBytes(random));
        }
    },
    /** {@code htpasswd -2}: SHA-256 crypt, {@code $5$[rounds=N$]salt$hash}. */
    SHA256_CRYPT("SHA-256 crypt", "\\$5\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{43}") {
        @Override
        boolean verify(byte[] password, String hash) {
            return constantTimeEquals(Sha2Crypt.sha256Crypt(password, hash), hash);
        }

        @Override
        String dummyLike(String hash, SecureRandom random) {
            return Sha2Crypt.sha256Crypt(randomBytes(random), hash);
        }
    },
    /** {@code htpasswd -5}: SHA-512 crypt, {@code $6$[rounds=N$]salt$hash}. */
    SHA512_CRYPT("SHA-512 crypt", "\\$6\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}") {
        @Override
        boolean verify(byte[] password, String hash) {
            return constantTimeEquals(Sha2Crypt.sha512Crypt(password, hash), hash);
        }

        @Override
        String dummyLike(String hash, SecureRandom random) {
            return Sha2Crypt.sha512Crypt(randomBytes(random), hash);
        }
    },
    /**
     * {@code htpasswd -d}: traditional DES crypt, 13 characters (two of salt). It has no marker, so a plain-text
     * password that happens to be 13 characters of the crypt alphabet is read as DES crypt; it then only matches a
     * password whose DES crypt it is, which is as good as refusing it.
     */
    DES_CRYPT("DES crypt", "[./0-9A-Za-z]{13}") {
        @Override
        boolean verify(byte[] password, String hash) {
            return constantTimeEquals(UnixCrypt.crypt(password, hash.substring(0, 2)), hash);
        }

        @Override
        String dummyLike(String hash, SecureRandom random) {
            return UnixCrypt.crypt(randomBytes(random), hash.substring(0, 2));
        }
    };

    private static final LongPasswordStrategy TRUNCATE = LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y);
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(BCrypt.Version.VERSION_2Y, TRUNCATE);

    private final String displayName;
    private final Pattern shape;

    HashFormat(String displayName, String shape) {
        this.displayName = displayName;
        this.shape = Pattern.compile(shape);
    }

    /** The format {@code hash} is written in, or empty for plain text and anything unknown. */
    static Optional<HashFormat> detect(String hash) {
        for (HashFormat f : values()) {
            if (f.shape.matcher(hash).matches()) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code password} (raw bytes, as the client sent them) hashes to {@code hash}, a hash of this format. */
    abstract boolean verify(byte[] password, String hash);

    /**
     * A hash of a random password with the same cost, rounds or salt as {@code hash}: verifying against it costs what
     * verifying against {@code hash} costs, and no password matches it in practice.
     */
    abstract String dummyLike(String hash, SecureRandom random);

    String displayName() {
        return displayName;
    }

    private static boolean constantTimeEquals(String computed, String stored) {
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                stored.getBytes(StandardCharsets.US_ASCII));
    }

    private static String sha1(byte[] password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(password);
            return "{SHA}" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static byte[] randomBytes(SecureRandom random) {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getEncoder().encode(b); // printable, as a password would be
    }

    private static char[] randomChars(SecureRandom random) {
        return new String(randomBytes(random), StandardCharsets.US_ASCII).toCharArray();
    }
}
