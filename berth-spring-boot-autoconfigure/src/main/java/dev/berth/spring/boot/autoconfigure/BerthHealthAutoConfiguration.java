package dev.berth.spring.boot.autoconfigure;

import dev.berth.registry.Registry;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.proxy.Upstream;
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
 *
 * <p>The pull-through upstreams ({@link Registry#upstreams()}) are a contributor of their own,
 * {@code berthUpstreams}, one indicator per upstream named by its prefix ({@link #upstreamName}), checked by
 * {@link Registry#checkUpstream}: the server counts an upstream that is down as a warning, since local content is
 * still served, and a contributor apart lets a health group (readiness) include {@code berth} without it. A registry
 * without upstreams has none, and Actuator leaves the empty contributor out.
 */
@AutoConfiguration(after = BerthAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Registry.class)
public class BerthHealthAutoConfiguration {
    /** The name of the contributor, and so of its path below {@code /actuator/health/}. */
    public static final String NAME = "berth";
    /** The name of the upstreams' contributor. */
    public static final String UPSTREAMS = "berthUpstreams";

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

    @Bean(UPSTREAMS)
    @ConditionalOnMissingBean(name = UPSTREAMS)
    public HealthContributor berthUpstreamsHealthContributor(Registry registry) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        for (Upstream u : registry.upstreams()) {
            indicators.put(upstreamName(u), check(() -> registry.checkUpstream(u.prefix()),
                    Map.of("url", u.redactedUrl()))); // never the credentials
        }
        return CompositeHealthContributor.fromMap(indicators);
    }

    /**
     * An upstream's name in {@code berthUpstreams}: its prefix, {@code *} for the one that serves every repository
     * (as the server's {@code upstream:*}), with each {@code /} (which Actuator's names cannot hold) written {@code :}
     * (which no repository name holds): {@code mirror/team} is {@code mirror:team}.
     */
    public static String upstreamName(Upstream upstream) {
        return upstream.prefix().isEmpty() ? "*" : upstream.prefix().replace('/', ':');
    }

    private static HealthIndicator check(Runnable check) {
        return check(check, Map.of());
    }

    private static HealthIndicator check(Runnable check, Map<String, Object> details) {
        return () -> {
            try {
                check.run();
                return Health.up().withDetails(details).build();
            } catch (RegistryException e) {
                return Health.down().withDetails(details).withDetail("error", e.getMessage()).build();
            }
        };
    }
}
