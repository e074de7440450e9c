package dev.berth.spring.boot.autoconfigure.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest Spring Boot web application: everything Berth serves comes from the auto-configuration. */
@SpringBootApplication
public class TestApplication {
}
