package dev.berth.registry;

import dev.berth.registry.internal.storage.CheckedStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverFactory;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Finds storage drivers by their short name with {@link ServiceLoader}. */
public final class StorageDrivers {
    private StorageDrivers() {
    }

    /** The factories on the class path of {@code loader}, by name; two factories of one name are an error. */
    public static Map<String, StorageDriverFactory> available(ClassLoader loader) {
        Map<String, StorageDriverFactory> byName = new TreeMap<>();
        for (StorageDriverFactory f : ServiceLoader.load(StorageDriverFactory.class, loader)) {
            StorageDriverFactory previous = byName.putIfAbsent(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two storage drivers are named '" + f.name() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName()
                        + "; remove one of them from the class path");
            }
        }
        return byName;
    }

    public static Map<String, StorageDriverFactory> available() {
        return available(Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : StorageDrivers.class.getClassLoader());
    }

    /**
     * Builds the driver named {@code name} from its parameters, wrapped so that paths are validated and errors name
     * the driver.
     *
     * @throws IllegalArgumentException when no driver has that name (the message lists those that exist) or the
     *                                  parameters are wrong
     */
    public static StorageDriver create(String name, Map<String, ?> parameters) {
        Map<String, StorageDriverFactory> available = available();
        StorageDriverFactory factory = available.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("no storage driver named '" + name + "'; available: "
                    + (available.isEmpty() ? "none" : String.join(", ", available.keySet()))
                    + " (a driver is found through META-INF/services/" + StorageDriverFactory.class.getName() + ")");
        }
        return CheckedStorageDriver.wrap(factory.create(parameters == null ? Map.of() : parameters));
    }

    /** The names of the drivers on the class path, sorted. */
    public static List<String> names() {
        return available().keySet().stream().sorted().collect(Collectors.toList());
    }
}
