package dev.berth.registry.spi;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plugin's parameters, read by typed getters: the one way storage drivers, caches and auth providers turn the
 * {@code Map<String, ?>} they are built from (strings, numbers, booleans, lists and maps, as YAML gives them) into
 * their own validated settings.
 *
 * <pre>{@code
 * Parameters p = Parameters.of("storage.s3", parameters).rejectUnknown("bucket", "region", "chunksize");
 * String bucket = p.requiredString("bucket");
 * long chunkSize = p.bytes("chunksize", 10L << 20);
 * }</pre>
 *
 * <p><b>What it accepts.</b> A string is any single value (a number or a boolean counts, as YAML may type what is
 * meant as text). A whole number is a number without fraction or its digits as text. A boolean is {@code true} or
 * {@code false}, as a boolean or as text in any case. A duration is Go's syntax as CNCF distribution's config.yml
 * writes it ({@code 300ms}, {@code 30s}, {@code 1h30m}, {@code 1.5h}; units ns, us, µs, ms, s, m, h), a whole
 * number of seconds (as a number or as digits), an ISO-8601 text ({@code PT5M}) or a {@link Duration}; never negative.
 * A list is a list of single values, or one single value as a list of one. Absent keys and keys without a value
 * ({@code null}) take the default.
 *
 * <p><b>Errors</b> are {@link ParameterException}s whose message names the plugin and the key, dotted as a
 * configuration spells them ({@code redis.pool.maxidle: expected a whole number, found 'many'}), and what was
 * expected. A map or a list where a single value belongs is reported as such, and never shown: it may hold a secret.
 * Strings are never quoted in errors either, so a password given for the wrong key does not end up in a log.
 *
 * <p>Immutable and thread-safe when the map it was built from is not changed.
 */
public final class Parameters {
    private static final Pattern GO_DURATION_PART =
            Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
    private static final String DURATION_EXAMPLES = "300ms, 30s, 5m or 1h30m";

    private final String plugin;
    private final String prefix;
    private final Map<String, Object> values;

    private Parameters(String plugin, String prefix, Map<?, ?> values) {
        this.plugin = plugin;
        this.prefix = prefix;
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(String.valueOf(k), v));
        this.values = Collections.unmodifiableMap(copy);
    }

    /**
     * The parameters a plugin got.
     *
     * @param plugin how errors name the plugin: its section as a configuration spells it, e.g. {@code storage.s3},
     *               {@code auth.htpasswd} or {@code redis}
     * @param values the parameters; null is none
     */
    public static Parameters of(String plugin, Map<String, ?> values) {
        Objects.requireNonNull(plugin, "plugin");
        return new Parameters(plugin, "", values == null ? Map.of() : values);
    }

    /** The plugin's name, as given to {@link #of}. */
    public String plugin() {
        return plugin;
    }

    /** The keys given, in their order, those without a value included. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Whether {@code key} is given with a value. */
    public boolean has(String key) {
        return values.get(key) != null;
    }

    /**
     * Refuses any key other than {@code known}: one unknown key is reported at that key, several together.
     *
     * @return this, to read on
     * @throws ParameterException naming the unknown keys and those that are known
     */
    public Parameters rejectUnknown(String... known) {
        return rejectUnknown(List.of(known));
    }

    /** As {@link #rejectUnknown(String...)}. */
    public Parameters rejectUnknown(Collection<String> known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (unknown.isEmpty()) {
            return this;
        }
        String knownText = known.isEmpty() ? "it takes none" : "known: " + String.join(", ", new TreeSet<>(known));
        if (unknown.size() == 1) {
            throw invalid(unknown.iterator().next(), "unknown parameter (" + knownText + ")");
        }
        throw new ParameterException(plugin, prefix, "unknown parameters " + String.join(", ", unknown) + " ("
                + knownText + ")");
    }

    /**
     * An error about {@code key} (of this section), for what a plugin checks itself.
     *
     * @param problem what is wrong, e.g. {@code must be at least 1, found 0}
     */
    public ParameterException invalid(String key, String problem) {
        return new ParameterException(plugin, keyPath(key), problem);
    }

    /** The value of {@code key} as text; empty when absent. */
    public Optional<String> string(String key) {
        return Optional.ofNullable(single(key, "a single value")).map(Object::toString);
    }

    /** The value of {@code key} as text, or {@code fallback}. */
    public String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    /**
     * The value of {@code key} as text, which must be given and not blank.
     *
     * @throws ParameterException {@code <plugin>.<key>: required} when it is not
     */
    public String requiredString(String key) {
        return string(key).filter(s -> !s.isBlank()).orElseThrow(() -> invalid(key, "required"));
    }

    /** The value of {@code key} as a file system path (a text or a {@link Path}); empty when absent. */
    public Optional<Path> path(String key) {
        Object v = single(key, "a path");
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Path p) {
            return Optional.of(p);
        }
        if (!(v instanceof CharSequence text)) {
            throw invalid(key, "expected a path, found " + shown(v));
        }
        if (text.toString().isBlank()) {
            throw invalid(key, "expected a path, found an empty text");
        }
        try {
            return Optional.of(Path.of(text.toString()));
        } catch (InvalidPathException e) {
            throw invalid(key, "'" + text + "' is not a path: " + e.getReason());
        }
    }

    /** The value of {@code key} as {@code true} or {@code false}, or {@code fallback}. */
    public boolean bool(String key, boolean fallback) {
        Object v = single(key, "true or false");
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "expected true or false, found " + shown(v));
        };
    }

    /** The value of {@code key} as a whole number, or {@code fallback}. */
    public long whole(String key, long fallback) {
        return whole(key, fallback, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * The value of {@code key} as a whole number from {@code min} to {@code max}, or {@code fallback} (which is not
     * checked).
     */
    public long whole(String key, long fallback, long min, long max) {
        return number(key, fallback, min, max, "a whole number" + range(min, max));
    }

    /** The value of {@code key} as a whole number that fits an {@code int}, or {@code fallback}. */
    public int integer(String key, int fallback) {
        return integer(key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** The value of {@code key} as a whole number from {@code min} to {@code max}, or {@code fallback}. */
    public int integer(String key, int fallback, int min, int max) {
        return (int) number(key, fallback, min, max, "a whole number" + range(min, max));
    }

    /** The value of {@code key} as a size: a whole number of bytes, not negative; or {@code fallback}. */
    public long bytes(String key, long fallback) {
        return number(key, fallback, 0, Long.MAX_VALUE, "a whole number of bytes, not negative");
    }

    /** The value of {@code key} as a duration (see the class comment); empty when absent. */
    public Optional<Duration> duration(String key) {
        Object v = single(key, "a duration such as " + DURATION_EXAMPLES);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Duration d) {
            if (d.isNegative()) {
                throw invalid(key, "must not be negative, found " + d);
            }
            return Optional.of(d);
        }
        if (v instanceof Number n) {
            BigInteger seconds = wholeValue(n);
            if (seconds == null || seconds.signum() < 0 || seconds.bitLength() > 63) {
                throw invalid(key, "a number of seconds must be whole and not negative, found " + shown(v)
                        + " (or write a duration such as " + DURATION_EXAMPLES + ")");
            }
            return Optional.of(Duration.ofSeconds(seconds.longValueExact()));
        }
        try {
            return Optional.of(parseDuration(v.toString()));
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    /** The value of {@code key} as a duration (see the class comment), or {@code fallback}. */
    public Duration duration(String key, Duration fallback) {
        return duration(key).orElse(fallback);
    }

    /** The values of {@code key} as texts: a list of single values, or one single value as a list of one. */
    public List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Map<?, ?>) {
            throw invalid(key, "expected a list, found a map");
        }
        if (v instanceof Object[] array) {
            v = Arrays.asList(array);
        }
        if (!(v instanceof Collection<?> items)) {
            return List.of(v.toString());
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        for (Object item : items) {
            String at = key + "[" + i++ + "]";
            if (item == null) {
                throw invalid(at, "expected a single value, found nothing");
            }
            if (item instanceof Map<?, ?> || item instanceof Collection<?>) {
                throw invalid(at, "expected a single value, found " + kind(item));
            }
            out.add(item.toString());
        }
        return List.copyOf(out);
    }

    /** The map under {@code key}, read the same way; absent: an empty section. */
    public Parameters section(String key) {
        Object v = values.get(key);
        if (v == null) {
            return new Parameters(plugin, keyPath(key), Map.of());
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw invalid(key, "expected a map of parameters, found " + kind(v));
        }
        return new Parameters(plugin, keyPath(key), map);
    }

    /**
     * A duration in Go's syntax ({@code 300ms}, {@code 1h30m}, {@code 1.5h}), a whole number of seconds, or an
     * ISO-8601 duration ({@code PT5M}); never negative. For callers that read text from elsewhere (a command line
     * flag, a server's own configuration).
     *
     * @throws IllegalArgumentException whose message says what is wrong and shows how to write one
     */
    public static Duration parseDuration(String text) {
        String s = text.trim();
        try {
            if (s.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(s));
            }
            if (s.startsWith("P") || s.startsWith("p")) {
                Duration d = Duration.parse(s);
                if (d.isNegative()) {
                    throw new IllegalArgumentException("must not be negative, found '" + text + "'");
                }
                return d;
            }
            Matcher m = GO_DURATION_PART.matcher(s);
            BigDecimal nanos = BigDecimal.ZERO;
            int end = 0;
            while (end < s.length() && m.region(end, s.length()).lookingAt()) {
                nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (m.group(2)) {
                    case "ns" -> 1L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> 1_000L; // us, µs, μs
                })));
                end = m.end();
            }
            if (end == 0 || end != s.length()) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (write it like "
                        + DURATION_EXAMPLES + ")");
            }
            BigInteger[] secondsAndNanos = nanos.toBigInteger().divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
            return Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValue());
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write it like " + DURATION_EXAMPLES
                    + "), or is too long", e);
        }
    }

    @Override
    public String toString() {
        return "Parameters[" + (prefix.isEmpty() ? plugin : plugin + "." + prefix) + ", keys=" + values.keySet()
                + " (values not shown)]";
    }

    private String keyPath(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** The value of {@code key} when it is a single value; a map or a list is refused without being shown. */
    private Object single(String key, String expected) {
        Object v = values.get(key);
        if (v instanceof Map<?, ?> || v instanceof Collection<?> || v != null && v.getClass().isArray()) {
            throw invalid(key, "expected " + expected + ", found " + kind(v));
        }
        return v;
    }

    private long number(String key, long fallback, long min, long max, String expected) {
        Object v = single(key, expected);
        if (v == null) {
            return fallback;
        }
        BigInteger n = v instanceof Number number ? wholeValue(number) : text(v);
        if (n == null || n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw invalid(key, "expected " + expected + ", found " + shown(v));
        }
        return n.longValue();
    }

    /** How a range reads after "a whole number"; nothing for the whole range of a long or an int. */
    private static String range(long min, long max) {
        boolean noMin = min == Long.MIN_VALUE || min == Integer.MIN_VALUE;
        boolean noMax = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
        return noMin && noMax ? "" : noMax ? " of at least " + min : noMin ? " of at most " + max
                : " from " + min + " to " + max;
    }

    private static BigInteger text(Object v) {
        try {
            return new BigInteger(v.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The number's value when it is whole; null when it has a fraction or is not finite. */
    private static BigInteger wholeValue(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            return BigInteger.valueOf(n.longValue());
        }
        if (n instanceof BigInteger b) {
            return b;
        }
        try {
            return new BigDecimal(n.toString()).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static String kind(Object v) {
        return v instanceof Map<?, ?> ? "a map" : v instanceof Collection<?> || v.getClass().isArray() ? "a list"
                : "a single value";
    }

    private static String shown(Object v) {
        return "'" + v + "'";
    }
}
