package dev.berth.registry.testkit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every group of checks of {@link StorageDriverKit} starts from: before each test (and before the group's own
 * set-up, which JUnit runs after this one) it finds the kit it is a {@code @Nested} class of, whose
 * {@code createDriver()} and hooks it then uses.
 */
@ExtendWith(EnclosingKit.class)
abstract class KitGroup {
    private StorageDriverKit kit;

    @BeforeEach
    final void findEnclosingKit(StorageDriverKit enclosing) {
        kit = enclosing;
    }

    /** The enclosing kit, or {@code null} when the group runs on its own (it overrides {@code createDriver()}). */
    final StorageDriverKit enclosingKit() {
        return kit;
    }

    /** The enclosing kit; a failure that says how to run the group when there is none. */
    final StorageDriverKit kit() {
        if (kit == null) {
            throw new IllegalStateException(getClass().getName() + " is not a @Nested class of a "
                    + StorageDriverKit.class.getSimpleName() + ": extend the kit and declare it there, or override "
                    + "createDriver()");
        }
        return kit;
    }
}
