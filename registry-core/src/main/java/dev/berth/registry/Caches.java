package dev.berth.registry;

import dev.berth.registry.internal.plugin.Plugins;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.BlobDescriptorCacheFactory;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds caches by their short name with {@link ServiceLoader}, as {@link StorageDrivers} finds drivers. */
public final class Caches {
    private static final String KIND = "cache";

    private Caches() {
    }

    /**
     * The factories on the class path of {@code loader}, by name.
     *
     * @throws IllegalStateException when two factories have one name, or one cannot be loaded (the message names its
     *                               jar and the cause)
     */
    public static Map<String, BlobDescriptorCacheFactory> available(ClassLoader loader) {
        return Plugins.load(BlobDescriptorCacheFactory.class, KIND, BlobDescriptorCacheFactory::name, loader);
    }

    /** The factories the thread's context class loader finds (see {@link #available(ClassLoader)}). */
    public static Map<String, BlobDescriptorCacheFactory> available() {
        return available(Plugins.defaultLoader(Caches.class));
    }

    /**
     * Builds the cache named {@code name} from its parameters.
     *
     * @throws IllegalArgumentException when no cache has that name (the message lists those that exist) or the
     *                                  parameters are wrong
     */
    public static BlobDescriptorCache create(String name, Map<String, ?> parameters) {
        BlobDescriptorCacheFactory factory = Plugins.named(available(), name, BlobDescriptorCacheFactory.class,
                KIND);
        return factory.create(parameters == null ? Map.of() : parameters);
    }

    /** The names of the caches on the class path, sorted. */
    public static List<String> names() {
        return List.copyOf(available().keySet());
    }
}
