package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.nio.file.Path;
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
        "berth.catalog.maxentries=0                                     | berth.catalog.maxentries"})
    void aWrongPropertyIsNamed(String properties, String named) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BerthAutoConfiguration.class))
                .withPropertyValues(properties.trim().split(","))
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
