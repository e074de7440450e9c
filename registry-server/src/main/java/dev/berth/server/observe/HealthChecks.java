package dev.berth.server.observe;

import dev.berth.registry.Registry;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Ready health checks for {@link DebugServer}. A health check is a {@code Supplier<Optional<String>>}: empty when
 * healthy, else what is wrong, in words fit for an operator (it is served on the debug port, not to clients).
 */
public final class HealthChecks {
    private HealthChecks() {
    }

    /**
     * Whether {@code registry}'s storage answers, by {@link Registry#checkStorage()}: one stat of the storage root per
     * call, so the check is real (a down bucket or a broken folder shows) yet cheap enough to poll.
     */
    public static Supplier<Optional<String>> storage(Registry registry) {
        Objects.requireNonNull(registry, "registry");
        return () -> {
            try {
                registry.checkStorage();
                return Optional.empty();
            } catch (RuntimeException e) {
                return Optional.of(describe(e));
            }
        };
    }

    /** The message of {@code e} and of its root cause, which is where a driver's reason usually is. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? message : message + ": " + root;
    }
}
