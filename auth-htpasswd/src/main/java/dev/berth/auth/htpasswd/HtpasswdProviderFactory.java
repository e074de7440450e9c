package dev.berth.auth.htpasswd;

import dev.berth.registry.spi.auth.AuthProviderFactory;
import dev.berth.registry.spi.auth.Authenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code auth: htpasswd}, with distribution's parameter names:
 * <ul>
 * <li>{@code path} (required): the htpasswd file; it must be readable and well-formed at startup.</li>
 * <li>{@code realm}: the realm of the Basic challenge, default {@value HtpasswdAuthenticator#DEFAULT_REALM}
 *     (distribution requires it; Berth defaults it).</li>
 * <li>{@code cachettl}: how long a successful verification is remembered, Berth's own: seconds as a number, or
 *     {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}; default {@code 60s}, {@code 0} turns the cache off.</li>
 * </ul>
 * Any other parameter is an error that names it.
 */
public final class HtpasswdProviderFactory implements AuthProviderFactory {
    private static final Set<String> KNOWN = Set.of("path", "realm", "cachettl");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public String name() {
        return "htpasswd";
    }

    @Override
    public Authenticator create(Map<String, ?> parameters) {
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("auth.htpasswd: unknown parameter" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (known: path, realm, cachettl)");
        }
        for (String key : KNOWN) {
            Object v = parameters.get(key);
            if (v instanceof Map<?, ?> || v instanceof java.util.Collection<?>) {
                throw new IllegalArgumentException("auth.htpasswd." + key + ": expected a single value, found a "
                        + (v instanceof Map<?, ?> ? "map" : "list"));
            }
        }
        Object path = parameters.get("path");
        if (path == null || path.toString().isBlank()) {
            throw new IllegalArgumentException("auth.htpasswd.path is required: the htpasswd file to read");
        }
        Object realm = parameters.get("realm");
        String realmText = realm == null ? HtpasswdAuthenticator.DEFAULT_REALM : realm.toString();
        Object ttl = parameters.get("cachettl");
        Duration cacheTtl = ttl == null ? HtpasswdAuthenticator.DEFAULT_CACHE_TTL : duration(ttl);
        return new HtpasswdAuthenticator(realmText, Path.of(path.toString()), cacheTtl);
    }

    static Duration duration(Object value) {
        if (value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Duration.ofSeconds(n.longValue());
        }
        Matcher m = DURATION.matcher(value.toString().strip());
        if (!(value instanceof Number) && m.matches()) {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
        throw new IllegalArgumentException("auth.htpasswd.cachettl must be a duration such as 60s, 5m or 0, not '"
                + value + "'");
    }
}
