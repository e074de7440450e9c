package dev.berth.ui;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Slows down password guessing on the sign-in form: a token bucket per client address and one per user name, each
 * holding {@code burst} failed sign-ins and getting one back every {@code refill}. A sign-in is refused before its
 * password is checked while either bucket is empty, and says how long to wait. Only failures take a token; a
 * successful sign-in refills its user name's bucket (not its address's: one account must not reset the guessing of
 * others from the same place).
 *
 * <p>Memory is bounded: at most {@code maxKeys} buckets are kept, the least recently used dropped first (a dropped
 * bucket is a full one, so flooding the table with addresses lets an attacker forget at most its own old failures,
 * not get more tries per address than the burst). Limiting by user name lets someone slow down another's sign-in by
 * failing on purpose; the bucket refills, so it is a delay, never a lockout. Thread-safe.
 */
final class SignInLimiter {
    /** A user name longer than this is cut for its key: a long name must not make a large key. */
    private static final int MAX_NAME = 256;

    /** Tokens are counted in nanoseconds of refill time, so that waits come out exact: one token is one refill. */
    private static final class Bucket {
        long credit;
        Instant at;

        Bucket(long credit, Instant at) {
            this.credit = credit;
            this.at = at;
        }
    }

    private final long full;
    private final long refill;
    private final Clock clock;
    private final LinkedHashMap<String, Bucket> buckets;

    SignInLimiter(int burst, Duration refill, int maxKeys, Clock clock) {
        if (burst < 1 || maxKeys < 2) {
            throw new IllegalArgumentException("burst must be at least 1 and maxKeys at least 2: " + burst + ", "
                    + maxKeys);
        }
        if (refill.isZero() || refill.isNegative()) {
            throw new IllegalArgumentException("refill must be positive: " + refill);
        }
        this.refill = refill.toNanos();
        this.full = Math.multiplyExact(burst, this.refill);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** Empty when a sign-in from {@code address} as {@code user} may be tried now; else how long to wait. */
    synchronized Optional<Duration> check(String address, String user) {
        Instant now = clock.instant();
        Duration wait = max(waitFor(addressKey(address), now), waitFor(userKey(user), now));
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /**
     * Counts a failed sign-in against the address and the user name. Returns how long the next try must wait when
     * this failure emptied a bucket, empty otherwise.
     */
    synchronized Optional<Duration> failed(String address, String user) {
        Instant now = clock.instant();
        boolean emptied = take(addressKey(address), now) | take(userKey(user), now);
        if (!emptied) {
            return Optional.empty();
        }
        return Optional.of(max(waitFor(addressKey(address), now), waitFor(userKey(user), now)));
    }

    /** A successful sign-in as {@code user}: its name's failures are forgotten. */
    synchronized void succeeded(String user) {
        buckets.remove(userKey(user));
    }

    synchronized int size() {
        return buckets.size();
    }

    private static String addressKey(String address) {
        return "a " + address;
    }

    private static String userKey(String user) {
        return "u " + (user.length() > MAX_NAME ? user.substring(0, MAX_NAME) : user);
    }

    /** The bucket's credit now. */
    private long credit(Bucket b, Instant now) {
        long earned = Math.max(0, Duration.between(b.at, now).toNanos());
        return earned >= full - b.credit ? full : b.credit + earned;
    }

    private Duration waitFor(String key, Instant now) {
        Bucket b = buckets.get(key);
        if (b == null) {
            return Duration.ZERO;
        }
        long c = credit(b, now);
        return c >= refill ? Duration.ZERO : Duration.ofNanos(refill - c);
    }

    /** Takes a token; returns whether the bucket has less than one left afterwards. */
    private boolean take(String key, Instant now) {
        Bucket b = buckets.get(key);
        long c = Math.max(0, (b == null ? full : credit(b, now)) - refill);
        if (b == null) {
            buckets.put(key, new Bucket(c, now));
        } else {
            b.credit = c;
            b.at = now;
        }
        return c < refill;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
