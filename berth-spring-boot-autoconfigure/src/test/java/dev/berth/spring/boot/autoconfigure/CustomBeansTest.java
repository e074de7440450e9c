package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.StorageDrivers;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/** The application's own beans take the place of the starter's. */
@SpringBootTest(classes = {TestApplication.class, CustomBeansTest.OwnStorage.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CustomBeansTest {
    @TestConfiguration(proxyBeanMethods = false)
    static class OwnStorage {
        @Bean
        StorageDriver ownStorage() {
            return StorageDrivers.create("inmemory", Map.of());
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    StorageDriver storage;
    @Autowired
    Map<String, StorageDriver> drivers;

    @Test
    void aStorageDriverBeanIsWhereBlobsGo() throws Exception {
        byte[] blob = "kept by the application's own driver".getBytes(StandardCharsets.UTF_8);
        String hex = Client.digest(blob).substring("sha256:".length());

        assertThat(Client.at(port).pushBlob("own/app", blob).statusCode()).isEqualTo(201);

        assertThat(drivers).containsOnlyKeys("ownStorage");
        assertThat(storage.getContent("/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex
                + "/data")).isEqualTo(blob);
    }

    @Test
    void everyBeanGivesWayToTheApplicationsOwn() {
        Registry registry = Registry.builder().storage("inmemory", Map.of()).build();
        Authenticator users = Authenticator.ANONYMOUS;
        AccessController rules = AccessController.AUTHENTICATED;
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BerthAutoConfiguration.class))
                .withBean(Registry.class, () -> registry)
                .withBean(Authenticator.class, () -> users)
                .withBean(AccessController.class, () -> rules)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Registry.class)).isSameAs(registry);
                    assertThat(context.getBean(Authenticator.class)).isSameAs(users);
                    assertThat(context.getBean(AccessController.class)).isSameAs(rules);
                    // With a registry of its own, the application needs no storage driver from properties.
                    assertThat(context).doesNotHaveBean(StorageDriver.class);
                });
    }
}
