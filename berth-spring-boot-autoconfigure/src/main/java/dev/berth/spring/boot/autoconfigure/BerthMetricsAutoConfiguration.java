package dev.berth.spring.boot.autoconfigure;

import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * With Micrometer on the class path (Actuator brings it): {@link BerthMetrics}, which Spring Boot binds to the
 * application's {@link MeterRegistry} (so {@code /actuator/metrics} and {@code /actuator/prometheus} show it), fed by
 * a filter in front of the registry's servlet and by the servlet's limits.
 */
@AutoConfiguration(after = BerthAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "berth.enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(Registry.class)
public class BerthMetricsAutoConfiguration {
    /** The name of the metrics filter's registration bean. */
    public static final String FILTER_BEAN = "berthMetricsFilter";

    @Bean
    @ConditionalOnMissingBean
    public BerthMetrics berthMetrics(Registry registry, ObjectProvider<Notifier> notifier) {
        return new BerthMetrics(registry, notifier.getIfAvailable());
    }

    @Bean(FILTER_BEAN)
    @ConditionalOnMissingBean(name = FILTER_BEAN)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    public FilterRegistrationBean<BerthMetricsFilter> berthMetricsFilter(BerthMetrics metrics) {
        FilterRegistrationBean<BerthMetricsFilter> registration =
                new FilterRegistrationBean<>(new BerthMetricsFilter(metrics));
        registration.addUrlPatterns(BerthAutoConfiguration.MAPPING);
        registration.setName("berthMetrics");
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }
}
