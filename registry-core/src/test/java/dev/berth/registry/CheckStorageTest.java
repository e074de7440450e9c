package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.Digest;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckStorageTest {

    @Test
    void anEmptyStoreIsHealthy() {
        Registry registry = Registry.builder().storage(new InMemoryStorageDriver()).build();
        assertThatCode(registry::checkStorage).doesNotThrowAnyException();
    }

    @Test
    void aStoreWithContentIsHealthy() throws Exception {
        Registry registry = Registry.builder().storage(new InMemoryStorageDriver()).build();
        byte[] blob = {1, 2, 3};
        registry.repository("a/b").uploads().put(Digest.sha256(blob), new ByteArrayInputStream(blob));
        assertThatCode(registry::checkStorage).doesNotThrowAnyException();
    }

    @Test
    void aDriverThatFailsIsUnavailableAndNamesTheDriver() {
        Registry registry = Registry.builder().storage(withStat("flaky", path -> {
            throw new IOException("connection refused");
        })).build();
        assertThatThrownBy(registry::checkStorage)
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("flaky");
    }

    @Test
    void aRootThatIsAnObjectIsUnavailable() {
        Registry registry = Registry.builder().storage(withStat("odd",
                path -> FileInfo.file(path, 3, Instant.EPOCH))).build();
        assertThatThrownBy(registry::checkStorage)
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("not a directory");
    }

    interface Stat {
        FileInfo stat(String path) throws IOException;
    }

    /** An in-memory driver whose {@code stat} (and name) is replaced: the driver is final, so a proxy forwards. */
    private static StorageDriver withStat(String name, Stat stat) {
        StorageDriver real = new InMemoryStorageDriver();
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return name;
                    }
                    if (method.getName().equals("stat")) {
                        return stat.stat((String) args[0]);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
