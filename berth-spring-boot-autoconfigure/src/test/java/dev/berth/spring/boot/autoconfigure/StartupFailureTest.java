package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.servlet.ServletOptions;
import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A wrong berth.* property stops startup, and the report names the property as the application spells it. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {
    @TempDir
    Path root;

    @Test
    void theStartupReportNamesTheProperty(CapturedOutput output) {
        SpringApplication app = new SpringApplication(TestApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> app.run("--berth.storage.filesystem.rootdirectory=", "--spring.main.banner-mode=off"))
                .hasStackTraceContaining("berth.storage.filesystem.rootdirectory");
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("the property 'berth.storage.filesystem.rootdirectory' is wrong: expected a path");
    }

    @Test
    void theReportNamesAWrongUpstream(CapturedOutput output) {
        SpringApplication app = new SpringApplication(TestApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> app.run("--berth.storage.inmemory=", "--berth.proxy.remoteurl=ftp://mirror.example",
                "--spring.main.banner-mode=off")).hasStackTraceContaining("berth.proxy.remoteurl");
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("the property 'berth.proxy.remoteurl' is wrong: must be an http or https URL");
    }

    @Test
    void aValueOfTheWrongTypeIsNamedBySpring(CapturedOutput output) {
        SpringApplication app = new SpringApplication(TestApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> app.run("--berth.storage.inmemory=", "--berth.notifications.endpoints[0].url=http://h",
                "--berth.notifications.endpoints[0].timeout=soon", "--spring.main.banner-mode=off"))
                .hasStackTraceContaining("berth.notifications.endpoints[0].timeout");
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("berth.notifications.endpoints[0].timeout");
    }

    @Test
    void theLimitsReachTheServlet() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BerthAutoConfiguration.class))
                .withPropertyValues("berth.storage.inmemory=", "berth.http.limits.minrequestrate=2048",
                        "berth.http.limits.minresponserate=0", "berth.http.limits.rategrace=10s",
                        "berth.http.limits.bodytimeout=5s")
                .run(context -> {
                    ServletOptions.Limits limits = context.getBean(ServletOptions.class).limits();
                    assertThat(limits.minRequestRate()).isEqualTo(2048);
                    assertThat(limits.minResponseRate()).isZero();
                    assertThat(limits.rateWindow()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(limits.bodyTimeout()).isEqualTo(Duration.ofSeconds(5));
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "berth.storage.filesystem.rootdirectory=                       | berth.storage.filesystem.rootdirectory",
        "berth.storage.filesystem.rootdir=/tmp/x                        | berth.storage.filesystem.rootdir",
        "berth.storage.nosuch.bucket=b                                  | berth.storage.nosuch",
        "berth.storage.cache.blobdescriptor=inmemory                    | berth.storage.cache",
        "berth.cache.nosuch.size=1                                      | berth.cache.nosuch",
        "berth.cache.inmemory.size=lots                                 | berth.cache.inmemory.size",
        "berth.auth.htpasswd.realm=r                                    | berth.auth.htpasswd.path",
        "berth.access.rules[0].repositories=**,berth.access.rules[0].who=everyone,berth.access.rules[0].allow=fly"
                + " | berth.access.rules[0].allow",
        "berth.access.rules[0].repositories=**,berth.access.rules[0].who=everyone,berth.access.rules[0].allow=pull"
                + " | berth.access",
        "berth.catalog.maxentries=0                                     | berth.catalog.maxentries",
        "berth.proxy.remoteurl=ftp://example.com                        | berth.proxy.remoteurl",
        "berth.proxy.remoteurl=http://example.com,berth.proxy.username=u | berth.proxy.password",
        "berth.proxy.username=u,berth.proxy.password=p                  | berth.proxy.remoteurl",
        "berth.proxy.upstreams[0].remoteurl=http://example.com          | berth.proxy.upstreams[0].prefix",
        "berth.proxy.upstreams[0].prefix=Not/Valid,berth.proxy.upstreams[0].remoteurl=http://example.com"
                + " | berth.proxy.upstreams[0].prefix",
        "berth.proxy.upstreams[0].prefix=a,berth.proxy.upstreams[0].remoteurl=http://example.com,"
                + "berth.proxy.upstreams[1].prefix=a/,berth.proxy.upstreams[1].remoteurl=http://example.org"
                + " | berth.proxy.upstreams",
        "berth.notifications.endpoints[0].name=hook                     | berth.notifications.endpoints[0].url",
        "berth.notifications.endpoints[0].url=mailto:x@example.com      | berth.notifications.endpoints[0].url",
        "berth.notifications.endpoints[0].url=http://h,berth.notifications.endpoints[0].ignore.actions=fly"
                + " | berth.notifications.endpoints[0].ignore.actions",
        "berth.notifications.endpoints[0].url=http://h,berth.notifications.endpoints[0].threshold=-1"
                + " | berth.notifications.endpoints[0].threshold",
        "berth.notifications.endpoints[0].url=http://h,berth.notifications.endpoints[0].queuesize=0"
                + " | berth.notifications.endpoints[0].queuesize",
        "berth.notifications.endpoints[0].url=http://h,berth.notifications.endpoints[0].headers.Host=x"
                + " | berth.notifications.endpoints[0].headers.Host",
        "berth.notifications.endpoints[0].url=http://h,berth.notifications.endpoints[1].url=http://i,"
                + "berth.notifications.endpoints[0].name=n,berth.notifications.endpoints[1].name=n"
                + " | berth.notifications.endpoints[1].name",
        "berth.http.host=registry.example.com                           | berth.http.host",
        "berth.http.headers[Bad@Name]=x                                 | berth.http.headers.Bad@Name",
        "berth.http.limits.minrequestrate=-1                            | berth.http.limits.minrequestrate",
        "berth.http.limits.rategrace=0s                                 | berth.http.limits.rategrace",
        "berth.http.limits.bodytimeout=0s                               | berth.http.limits.bodytimeout",
        "berth.http.limits.maxconnections=10                            | berth.http.limits.maxconnections",
        "berth.http.limits.idletimeout=10s                              | berth.http.limits.idletimeout",
        "berth.auth.token.realm=http://h/auth/token,berth.auth.token.service=s,berth.auth.token.issuer=i,"
                + "berth.auth.token.builtin.expiration=5m | berth.auth.token.builtin.htpasswd.path",
        "berth.auth.token.service=s,berth.auth.token.issuer=i,berth.auth.token.builtin.expiration=5m,"
                + "berth.auth.token.builtin.htpasswd.path=/nonexistent | berth.auth.token.realm",
        "berth.auth.token.realm=http://h/auth/token,berth.auth.token.service=s,berth.auth.token.issuer=i,"
                + "berth.auth.token.jwks=/x,berth.auth.token.builtin.expiration=5m | berth.auth.token.jwks",
        "berth.auth.token.realm=http://h/auth/token,berth.auth.token.service=s,berth.auth.token.issuer=i,"
                + "berth.auth.token.builtin.expiration=forever,berth.auth.token.builtin.htpasswd.path=@HTPASSWD@"
                + " | berth.auth.token.builtin.expiration"})
    void aWrongPropertyIsNamed(String properties, String named) throws IOException {
        Path htpasswd = Files.writeString(root.resolve("htpasswd"), "someone:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BerthAutoConfiguration.class,
                        BerthTokenAutoConfiguration.class))
                .withPropertyValues(properties.trim().replace("@HTPASSWD@", htpasswd.toString()).split(","))
                .withPropertyValues(properties.contains("storage") ? new String[0]
                        : new String[] {"berth.storage.inmemory="})
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    while (failure != null && !(failure instanceof BerthConfigurationException)) {
                        failure = failure.getCause();
                    }
                    assertThat(failure).as("the cause of %s", context.getStartupFailure())
                            .isInstanceOf(BerthConfigurationException.class);
                    assertThat(((BerthConfigurationException) failure).property()).isEqualTo(named);
                });
    }
}
