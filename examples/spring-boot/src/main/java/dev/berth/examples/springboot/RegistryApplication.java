package dev.berth.examples.springboot;

import dev.berth.registry.Registry;
import dev.berth.registry.model.RepositoryName;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application with a registry in it. The registry is all berth-spring-boot-starter's: its
 * {@code berth.*} properties are in {@code application.yml}, and it answers at {@code /v2/} of this application's
 * server. The application's own endpoint {@code /repositories} uses the same {@link Registry} bean directly.
 */
@SpringBootApplication
public class RegistryApplication {
    public static void main(String[] args) {
        SpringApplication.run(RegistryApplication.class, args);
    }

    /** The application's own endpoint, beside the registry. */
    @RestController
    static class Repositories {
        private final Registry registry;

        Repositories(Registry registry) {
            this.registry = registry;
        }

        @GetMapping("/repositories")
        List<String> repositories() {
            return registry.catalog().stream().map(RepositoryName::toString).toList();
        }
    }
}
