package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The configuration metadata in the jar (the processor's output, merged with the additional file) describes every
 * property, so that IDEs complete and explain them.
 */
class ConfigurationMetadataTest {
    private static Map<String, JsonNode> properties() throws IOException {
        Map<String, JsonNode> byName = new HashMap<>();
        try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the processor's output").isNotNull();
            for (JsonNode p : new ObjectMapper().readTree(in).get("properties")) {
                byName.put(p.get("name").asText(), p);
            }
        }
        return byName;
    }

    @ParameterizedTest
    @ValueSource(strings = {"berth.enabled", "berth.storage.delete.enabled", "berth.storage.filesystem.rootdirectory",
        "berth.cache.inmemory.size", "berth.auth.htpasswd.path", "berth.access.rules", "berth.http.host",
        "berth.http.headers", "berth.http.limits.minrequestrate", "berth.http.limits.minresponserate",
        "berth.http.limits.rategrace", "berth.http.limits.bodytimeout", "berth.catalog.maxentries",
        "berth.proxy.remoteurl", "berth.proxy.username", "berth.proxy.password", "berth.proxy.ttl",
        "berth.proxy.upstreams", "berth.notifications.endpoints", "berth.notifications.events.includereferences",
        "berth.auth.token.realm", "berth.auth.token.service", "berth.auth.token.issuer",
        "berth.auth.token.builtin.key", "berth.auth.token.builtin.certificate", "berth.auth.token.builtin.expiration",
        "berth.auth.token.builtin.htpasswd.path"})
    void everyPropertyHasADescription(String name) throws IOException {
        JsonNode property = properties().get(name);

        assertThat(property).as(name).isNotNull();
        assertThat(property.path("description").asText()).as("the description of %s", name).isNotBlank();
    }

    @Test
    void theDefaultsAreThoseOfTheServer() throws IOException {
        Map<String, JsonNode> p = properties();

        assertThat(p.get("berth.proxy.ttl").get("defaultValue").asText()).isEqualTo("168h");
        assertThat(p.get("berth.http.limits.minrequestrate").get("defaultValue").asLong()).isEqualTo(1024);
        assertThat(p.get("berth.http.limits.rategrace").get("defaultValue").asText()).isEqualTo("30s");
        assertThat(p.get("berth.catalog.maxentries").get("defaultValue").asInt()).isEqualTo(1000);
    }

    @Test
    void theServersConnectionLimitsAreMarkedAsNotApplying() throws IOException {
        JsonNode idle = properties().get("berth.http.limits.idletimeout");

        assertThat(idle.path("deprecation").path("level").asText()).isEqualTo("error");
        assertThat(idle.path("deprecation").path("replacement").asText()).startsWith("server.");
    }
}
