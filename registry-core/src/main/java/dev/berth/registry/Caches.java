package dev.berth.registry;

import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.BlobDescriptorCacheFactory;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds caches by their short name with {@link ServiceLoader}, as {@link StorageDrivers} finds drivers. */
public final class Caches {
    private Caches() {
    }

    /** The factories on the class path of {@code loader}, by name; two factories of one name are an error. */
    public static Map<String, BlobDescriptorCacheFactory> available(ClassLoader loader) {
        Map<String, BlobDescriptorCacheFactory> byName = new TreeMap<>();
        for (BlobDescriptorCacheFactory f : ServiceLoader.load(BlobDescriptorCacheFactory.class, loader)) {
            BlobDescriptorCacheFactory previous = byName.putIfAbsent(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two caches are named '" + f.name() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName()
                        + "; remove one of them from the class path");
            }
        }
        return byName;
    }

    public static Map<String, BlobDescriptorCacheFactory> available() {
        return available(Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : Caches.class.getClassLoader());
    }

    /**
     * Builds the cache named {@code name} from its parameters.
     *
     * @throws IllegalArgumentException when no cache has that name (the message lists those that exist) or the
     *                                  parameters are wrong
     */
    public static BlobDescriptorCache create(String name, Map<String, ?> parameters) {
        Map<String, BlobDescriptorCacheFactory> available = available();
        BlobDescriptorCacheFactory factory = available.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("no cache named '" + name + "'; available: "
                    + (available.isEmpty() ? "none" : String.join(", ", available.keySet()))
                    + " (a cache is found through META-INF/services/" + BlobDescriptorCacheFactory.class.getName()
                    + ")");
        }
        return factory.create(parameters == null ? Map.of() : parameters);
    }

    /** The names of the caches on the class path, sorted. */
    public static List<String> names() {
        return List.copyOf(available().keySet());
    }
}
