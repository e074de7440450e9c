package dev.berth.spring.boot.autoconfigure;

import dev.berth.registry.Registry;
import dev.berth.registry.error.RegistryException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * With Actuator: the health contributor {@code berth}, one indicator per dependency of the registry, as the server's
 * {@code /debug/health} checks them: {@code storage} ({@link Registry#checkStorage()}) and, when the registry has a
 * cache, {@code cache} ({@link Registry#checkCache()}). Each check is cached and bounded in time by the registry, so
 * frequent polling costs storage little.
 */
@AutoConfiguration(after = BerthAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Registry.class)
public class BerthHealthAutoConfiguration {
    /** The name of the contributor, and so of its path below {@code /actuator/health/}. */
    public static final String NAME = "berth";

    @Bean(NAME)
    @ConditionalOnMissingBean(name = NAME)
    public HealthContributor berthHealthContributor(Registry registry) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        indicators.put("storage", check(registry::checkStorage));
        if (registry.hasCache()) {
            indicators.put("cache", check(registry::checkCache));
        }
        return CompositeHealthContributor.fromMap(indicators);
    }

    private static HealthIndicator check(Runnable check) {
        return () -> {
            try {
                check.run();
                return Health.up().build();
            } catch (RegistryException e) {
                return Health.down().withDetail("error", e.getMessage()).build();
            }
        };
    }
}
