package dev.berth.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class with a registry of the defaults: in memory, plain HTTP on a random loopback port, no users, started
 * before the class's first test and stopped after its last. Its tests and lifecycle methods take a
 * {@link dev.berth.registry.Registry}, a {@link java.net.URI}, a {@link java.net.URL} or a {@link RegistryEndpoint}
 * as a parameter. For anything else (a folder, users, TLS, an upstream, a registry per method) register a
 * {@link BerthRegistryExtension} built with {@link BerthRegistryExtension#builder()} instead.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BerthRegistryExtension.class)
public @interface RegistryTest {
}
