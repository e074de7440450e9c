package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCache;
import dev.berth.registry.cache.inmemory.InMemoryBlobDescriptorCacheFactory;
import dev.berth.registry.spi.auth.AuthProviderFactory;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.cache.BlobDescriptorCache;
import dev.berth.registry.spi.cache.BlobDescriptorCacheFactory;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriverFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three lookups ({@link StorageDrivers}, {@link Caches}, {@link AuthProviders}) report a broken plugin jar and
 * two plugins of one name the same way. A services file in a temporary folder plays the extra jar.
 */
class PluginDiscoveryTest {

    static Stream<Arguments> lookups() {
        return Stream.of(
                Arguments.of("dev.berth.registry.spi.storage.StorageDriverFactory", "storage driver",
                        (Function<ClassLoader, Map<String, ?>>) StorageDrivers::available,
                        StorageDriversTest.DuplicateInMemoryFactory.class,
                        InMemoryStorageDriverFactory.class),
                Arguments.of(BlobDescriptorCacheFactory.class.getName(), "cache",
                        (Function<ClassLoader, Map<String, ?>>) Caches::available, DuplicateInMemoryCache.class,
                        InMemoryBlobDescriptorCacheFactory.class),
                Arguments.of(AuthProviderFactory.class.getName(), "auth provider",
                        (Function<ClassLoader, Map<String, ?>>) AuthProviders::available, DuplicateAnonymous.class,
                        AuthProviders.AnonymousFactory.class));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("lookups")
    void aBrokenPluginIsReportedWithTheFileThatListsItAndTheCause(String spi, String kind,
            Function<ClassLoader, Map<String, ?>> available, Class<?> duplicate, Class<?> original,
            @TempDir Path dir) throws Exception {
        Path file = services(dir, spi, "com.example.GoneFactory");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> available.apply(loader)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining((kind.startsWith("a") ? "an " : "a ") + kind
                            + " cannot be loaded: com.example.GoneFactory listed in "
                            + file.toUri().toURL())
                    .hasMessageContaining("not found (fix or remove its jar)");
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("lookups")
    void twoPluginsOfOneNameFailNamingBothAndTheirLocations(String spi, String kind,
            Function<ClassLoader, Map<String, ?>> available, Class<?> duplicate, Class<?> original,
            @TempDir Path dir) throws Exception {
        services(dir, spi, duplicate.getName());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> available.apply(loader)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("two " + kind + "s are named")
                    .hasMessageContaining(original.getName() + " (from " + location(original) + ")")
                    .hasMessageContaining(duplicate.getName() + " (from " + location(duplicate) + ")");
        }
        assertThat(location(original)).as("the main classes and the test classes: two places")
                .isNotEqualTo(location(duplicate));
    }

    private static Path services(Path dir, String spi, String provider) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        return Files.writeString(services.resolve(spi), provider + "\n");
    }

    private static String location(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation().toString();
    }

    /** A second {@code inmemory} cache. */
    public static final class DuplicateInMemoryCache implements BlobDescriptorCacheFactory {
        @Override
        public String name() {
            return "inmemory";
        }

        @Override
        public BlobDescriptorCache create(Map<String, ?> parameters) {
            return new InMemoryBlobDescriptorCache(1, Duration.ofSeconds(1));
        }
    }

    /** A second {@code anonymous} auth provider. */
    public static final class DuplicateAnonymous implements AuthProviderFactory {
        @Override
        public String name() {
            return "anonymous";
        }

        @Override
        public Authenticator create(Map<String, ?> parameters) {
            return Authenticator.ANONYMOUS;
        }
    }
}
