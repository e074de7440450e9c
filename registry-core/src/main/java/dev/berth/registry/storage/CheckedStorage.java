package dev.berth.registry.storage;

import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;

/**
 * The wrapper a registry puts around every storage driver, for code that uses a driver outside a registry the way a
 * registry does (a driver's own tests, the test kit, a migration tool): every path is validated before the driver
 * sees it ({@link dev.berth.registry.spi.storage.InvalidPathException}), and every failure names the driver.
 */
public final class CheckedStorage {
    private CheckedStorage() {
    }

    /** {@code driver} behind the registry's checks; a driver already behind them is returned as it is. */
    public static StorageDriver wrap(StorageDriver driver) {
        return CheckedStorageDriver.wrap(driver);
    }
}
