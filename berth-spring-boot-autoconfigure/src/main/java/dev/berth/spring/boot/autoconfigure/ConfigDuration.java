package dev.berth.spring.boot.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code Duration} property of {@link BerthProperties} that is written as in the server's {@code config.yml}:
 * {@link ConfigDurationConverter} binds it, and only it, so the application's other durations keep Spring's rules.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
@interface ConfigDuration {
}
