package dev.berth.registry.testkit;

import dev.berth.registry.spi.storage.StorageDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every group of checks of {@link StorageDriverKit} starts from: before each test (and before the group's own
 * set-up, which JUnit runs after this one) it finds the kit it is a {@code @Nested} class of, whose
 * {@code createDriver()} and hooks it then uses. Public because the groups and fixtures a driver's tests extend
 * inherit from it; nothing outside the kit extends it directly.
 */
@ExtendWith(EnclosingKit.class)
public abstract class KitGroup {
    private StorageDriverKit kit;

    @BeforeEach
    final void findEnclosingKit(StorageDriverKit enclosing) {
        kit = enclosing;
    }

    /**
     * A new driver for one test: by default the enclosing kit's {@link StorageDriverKit#createDriver()}. A test that
     * runs a group on its own (not in a kit) overrides this.
     */
    protected StorageDriver createDriver() throws Exception {
        return kit().createDriver();
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
