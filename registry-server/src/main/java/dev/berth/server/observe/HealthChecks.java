package dev.berth.server.observe;

import dev.berth.registry.Registry;
import dev.berth.registry.proxy.Upstream;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Ready health checks for {@link DebugServer}, one per dependency of a registry. A health check is a
 * {@code Supplier<Optional<String>>}: empty when healthy, else what is wrong, in words fit for an operator (it is
 * served on the debug port, not to clients) and never with a secret in them: user information in URLs and the
 * signature parameters of presigned URLs are masked.
 *
 * <p>Each check is the registry's own ({@link Registry#checkStorage()}, {@link Registry#checkCache()},
 * {@link Registry#checkUpstream}): a real round trip to the dependency, whose result is kept for a few seconds and
 * which gives up on a dependency that does not answer in time, so polling is cheap and never hangs.
 */
public final class HealthChecks {
    /** {@code scheme://user:password@}: the user information of a URL. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@\"]+@");
    /** The credentials and signature parameters of a (presigned) URL's query. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile("(?i)([?&](?:x-amz-signature|x-amz-credential"
            + "|x-amz-security-token|signature|sig|token|access_token|password|secret)=)[^&\\s\"]*");

    private HealthChecks() {
    }

    /**
     * The checks of {@code registry}'s dependencies: {@code storage} and, when a cache is configured, {@code cache}
     * as failures (a replica that cannot reach them should get no traffic), and each pull-through upstream as a
     * warning named {@code upstream:<prefix>} ({@code upstream:*} for the one that serves every repository): when an
     * upstream is down the replica still serves everything it has.
     */
    public static DebugServer.Builder addTo(DebugServer.Builder debug, Registry registry) {
        debug.check("storage", storage(registry));
        if (registry.hasCache()) {
            debug.check("cache", cache(registry));
        }
        for (Upstream u : registry.upstreams()) {
            debug.warning(name(u), upstream(registry, u.prefix()));
        }
        return debug;
    }

    /** What {@link #addTo} names the check of {@code upstream}. */
    public static String name(Upstream upstream) {
        return "upstream:" + (upstream.prefix().isEmpty() ? "*" : upstream.prefix());
    }

    /** Whether {@code registry}'s storage answers, by {@link Registry#checkStorage()}. */
    public static Supplier<Optional<String>> storage(Registry registry) {
        Objects.requireNonNull(registry, "registry");
        return () -> describeFailure(registry::checkStorage);
    }

    /** Whether {@code registry}'s cache answers, by {@link Registry#checkCache()}. */
    public static Supplier<Optional<String>> cache(Registry registry) {
        Objects.requireNonNull(registry, "registry");
        return () -> describeFailure(registry::checkCache);
    }

    /** Whether the upstream serving {@code prefix} answers, by {@link Registry#checkUpstream}. */
    public static Supplier<Optional<String>> upstream(Registry registry, String prefix) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(prefix, "prefix");
        return () -> describeFailure(() -> registry.checkUpstream(prefix));
    }

    private static Optional<String> describeFailure(Runnable check) {
        try {
            check.run();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(describe(e));
        }
    }

    /**
     * The message of {@code e}, with its root cause when the message does not already say it (that is where a
     * driver's reason usually is), secrets masked ({@link #mask}).
     */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        boolean said = root == e || root.getMessage() != null && message.contains(root.getMessage());
        return mask(said ? message : message + ": " + root);
    }

    /** {@code text} with the user information of URLs and the signature parameters of presigned URLs masked. */
    static String mask(String text) {
        String masked = USER_INFO.matcher(text).replaceAll("$1***@");
        return SECRET_PARAMETER.matcher(masked).replaceAll("$1***");
    }
}
