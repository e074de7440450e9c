package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * berth.* durations are written as in the server's config.yml (Go's 1h30m, 500ms; a bare number of seconds) or as
 * Spring writes them (7d, PT1H30M); a malformed one stops startup naming the property; other properties keep Spring's
 * rules.
 */
@ExtendWith(OutputCaptureExtension.class)
class DurationPropertiesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BerthAutoConfiguration.class))
            .withPropertyValues("berth.storage.inmemory=");

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        // Go's forms, as config.yml takes them
        "1h30m,    PT1H30M",
        "500ms,    PT0.5S",
        "2m30s,    PT2M30S",
        "1.5h,     PT1H30M",
        "90,       PT1M30S",
        "1h0m0.25s, PT1H0.25S",
        // Spring's own
        "7d,       PT168H",
        "10s,      PT10S",
        "PT45M,    PT45M",
        "3h,       PT3H"})
    void aDurationIsReadInGosFormOrSprings(String written, String meant) {
        runner.withPropertyValues("berth.http.limits.rategrace=" + written,
                        "berth.http.limits.bodytimeout=" + written)
                .run(context -> {
                    ServletOptions.Limits limits = context.getBean(ServletOptions.class).limits();
                    assertThat(limits.rateWindow()).isEqualTo(Duration.parse(meant));
                    assertThat(limits.bodyTimeout()).isEqualTo(Duration.parse(meant));
                });
    }

    @Test
    void theUpstreamsTtlAndTheEndpointsTimeoutsTakeGosForm() {
        runner.withPropertyValues("berth.proxy.remoteurl=http://127.0.0.1:9", "berth.proxy.ttl=1h30m",
                        "berth.notifications.endpoints[0].url=http://127.0.0.1:9/events",
                        "berth.notifications.endpoints[0].timeout=2m30s",
                        "berth.notifications.endpoints[0].backoff=500ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Registry.class).upstreams()).singleElement()
                            .satisfies(u -> assertThat(u.ttl()).isEqualTo(Duration.ofMinutes(90)));
                    BerthProperties.NotificationEndpoint endpoint = context.getBean(BerthProperties.class)
                            .getNotifications().getEndpoints().get(0);
                    assertThat(endpoint.getTimeout()).isEqualTo(Duration.ofSeconds(150));
                    assertThat(endpoint.getBackoff()).isEqualTo(Duration.ofMillis(500));
                    assertThat(context.getBean(Notifier.class).endpoints()).hasSize(1);
                });
    }

    @ParameterizedTest
    @CsvSource({
        "berth.proxy.ttl,                          1h30",
        "berth.http.limits.rategrace,              soon",
        "berth.http.limits.bodytimeout,            1x",
        "berth.notifications.endpoints[0].backoff, 5 minutes"})
    void aMalformedDurationIsRefusedNamingTheProperty(String property, String value) {
        runner.withPropertyValues(property + "=" + value, "berth.notifications.endpoints[0].url=http://127.0.0.1:9/e")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining(property)
                            .hasStackTraceContaining("'" + value + "' is not a duration (write it like 300ms, 30s, 5m"
                                    + " or 1h30m), or as Spring writes one: 7d");
                });
    }

    @Test
    void theStartupReportNamesAMalformedDuration(CapturedOutput output) {
        SpringApplication app = new SpringApplication(TestApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> app.run("--berth.storage.inmemory=", "--berth.proxy.remoteurl=http://127.0.0.1:9",
                "--berth.proxy.ttl=1h30", "--spring.main.banner-mode=off"))
                .hasStackTraceContaining("berth.proxy.ttl");
        assertThat(output).contains("APPLICATION FAILED TO START").contains("berth.proxy.ttl")
                .contains("'1h30' is not a duration (write it like 300ms, 30s, 5m or 1h30m), or as Spring writes one:"
                        + " 7d");
    }

    @Test
    void theApplicationsOwnDurationsKeepSpringsRules() {
        runner.withUserConfiguration(OwnProperties.class).withPropertyValues("own.wait=90")
                .run(context -> assertThat(context.getBean(Own.class).getWait()).as("Spring's bare milliseconds")
                        .isEqualTo(Duration.ofMillis(90)));
        runner.withUserConfiguration(OwnProperties.class).withPropertyValues("own.wait=1h30m")
                .run(context -> assertThat(context).as("Go's form is Berth's, not every property's").hasFailed());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(Own.class)
    static class OwnProperties {
    }

    @ConfigurationProperties("own")
    static class Own {
        private Duration wait;

        public Duration getWait() {
            return wait;
        }

        public void setWait(Duration wait) {
            this.wait = wait;
        }
    }
}
