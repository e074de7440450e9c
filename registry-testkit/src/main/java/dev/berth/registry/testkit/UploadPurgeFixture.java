package dev.berth.registry.testkit;


import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the upload-purge checks stand on: a fresh, empty driver for each test (the enclosing
 * {@link StorageDriverKit}'s) and registries over it that share it but not a clock: an upload is made old by starting
 * it through a registry whose clock is days behind. {@link UploadPurgeContract} is the kit's group of checks; a
 * driver's own purge tests extend this as a {@code @Nested} class of its kit test (see {@link StorageDriverFixture}).
 */
public abstract class UploadPurgeFixture extends KitGroup {
    protected static final Duration AGE = Duration.ofDays(7);

    /** The driver under test, wrapped as a registry wraps it; the registries below share it. */
    protected StorageDriver driver;
    /** The registry that purges: its clock is the real one. */
    protected Registry registry;
    /** Uploads started through it are ten days old. */
    protected Registry tenDaysAgo;
    /** Uploads started through it are an hour old. */
    protected Registry anHourAgo;

    @BeforeEach
    void openRegistries() throws Exception {
        driver = StorageDrivers.checked(createDriver());
        registry = Registry.builder().storage(driver).build();
        tenDaysAgo = Registry.builder().storage(driver).clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(-10)))
                .build();
        anHourAgo = Registry.builder().storage(driver).clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)))
                .build();
    }

    @AfterEach
    void closeDriver() throws Exception {
        registry.close(); // the others share its driver
    }

    /** Starts an upload through {@code via} and appends {@code bytes} to it; returns its id. */
    protected static String upload(Registry via, String repository, byte[] bytes) throws IOException {
        Repository repo = via.repository(repository);
        String id = repo.uploads().start().id();
        if (bytes.length > 0) {
            repo.uploads().append(id, new ByteArrayInputStream(bytes));
        }
        return id;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every object in storage with its size. */
    protected Map<String, Long> snapshot() throws IOException {
        Map<String, Long> all = new TreeMap<>();
        try {
            driver.walk("/", f -> all.put(f.path(), f.size()));
        } catch (PathNotFoundException empty) {
            // some drivers say so of an empty store
        }
        return all;
    }
}
