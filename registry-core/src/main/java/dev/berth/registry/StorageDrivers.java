package dev.berth.registry;

import dev.berth.registry.internal.plugin.Plugins;
import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds storage drivers by their short name with {@link ServiceLoader}. */
public final class StorageDrivers {
    private static final String KIND = "storage driver";

    private StorageDrivers() {
    }

    /**
     * The factories on the class path of {@code loader}, by name.
     *
     * @throws IllegalStateException when two factories have one name, or one cannot be loaded (the message names its
     *                               jar and the cause)
     */
    public static Map<String, StorageDriverFactory> available(ClassLoader loader) {
        return Plugins.load(StorageDriverFactory.class, KIND, StorageDriverFactory::name, loader);
    }

    /** The factories the thread's context class loader finds (see {@link #available(ClassLoader)}). */
    public static Map<String, StorageDriverFactory> available() {
        return available(Plugins.defaultLoader(StorageDrivers.class));
    }

    /**
     * Builds the driver named {@code name} from its parameters, wrapped so that paths are validated and errors name
     * the driver.
     *
     * @throws IllegalArgumentException when no driver has that name (the message lists those that exist) or the
     *                                  parameters are wrong
     */
    public static StorageDriver create(String name, Map<String, ?> parameters) {
        StorageDriverFactory factory = Plugins.named(available(), name, StorageDriverFactory.class, KIND);
        return CheckedStorageDriver.wrap(factory.create(parameters == null ? Map.of() : parameters));
    }

    /**
     * {@code driver} behind the checks a registry puts around every driver, for code that uses a driver outside a
     * registry the way a registry does (a driver's own tests, the test kit, a migration tool): every path is
     * validated before the driver sees it ({@link dev.berth.registry.spi.storage.InvalidPathException}), and every
     * failure names the driver. A driver already behind them is returned as it is.
     */
    public static StorageDriver checked(StorageDriver driver) {
        return CheckedStorageDriver.wrap(driver);
    }

    /** The names of the drivers on the class path, sorted. */
    public static List<String> names() {
        return List.copyOf(available().keySet());
    }
}
