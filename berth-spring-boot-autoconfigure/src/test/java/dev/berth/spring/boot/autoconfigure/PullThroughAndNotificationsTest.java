package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.sun.net.httpserver.HttpServer;
import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Reference;
import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * berth.proxy: the starter's registry pulls through from a second registry (another application with the starter,
 * in this JVM); berth.notifications: a webhook receives the events of a push, with its configured header.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "berth.storage.inmemory=")
class PullThroughAndNotificationsTest {
    static ConfigurableApplicationContext upstream;
    static HttpServer hook;
    static final BlockingQueue<String> ENVELOPES = new LinkedBlockingQueue<>();

    @TempDir
    Path work;
    @LocalServerPort
    int port;
    @Autowired
    Registry registry;
    @Autowired
    Notifier notifier;

    @DynamicPropertySource
    static void upstreamAndHook(DynamicPropertyRegistry properties) throws IOException {
        upstream = new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "berth.storage.inmemory=", "spring.main.banner-mode=off",
                        "spring.jmx.enabled=false", "management.endpoints.enabled-by-default=false")
                .run();
        int upstreamPort = ((WebServerApplicationContext) upstream).getWebServer().getPort();
        properties.add("berth.proxy.upstreams[0].prefix", () -> "mirror");
        properties.add("berth.proxy.upstreams[0].remoteurl", () -> "http://127.0.0.1:" + upstreamPort);
        properties.add("berth.proxy.upstreams[0].ttl", () -> "1m");

        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/events", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                ENVELOPES.add(exchange.getRequestHeaders().getFirst("Authorization") + "\n" + body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        // A list is bound from one property source: every key of the endpoint is set here.
        properties.add("berth.notifications.endpoints[0].url",
                () -> "http://127.0.0.1:" + hook.getAddress().getPort() + "/events");
        properties.add("berth.notifications.endpoints[0].name", () -> "hook");
        properties.add("berth.notifications.endpoints[0].headers.Authorization", () -> "Bearer hook-secret");
        properties.add("berth.notifications.endpoints[0].timeout", () -> "5s");
        properties.add("berth.notifications.endpoints[0].ignore.actions", () -> "pull");
    }

    @BeforeAll
    static void plainHttp() {
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.disableUpdateChecks", "true");
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (hook != null) {
            hook.stop(0);
        }
    }

    @Test
    void pullsThroughFromTheUpstreamAndKeepsTheImage() throws Exception {
        byte[] random = new byte[200_000];
        new Random(3).nextBytes(random);
        Path lib = Files.write(work.resolve("lib.bin"), random);
        int upstreamPort = ((WebServerApplicationContext) upstream).getWebServer().getPort();
        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(lib), AbsoluteUnixPath.get("/lib"))
                .containerize(Containerizer.to(RegistryImage.named("127.0.0.1:" + upstreamPort + "/team/app:2.0"))
                        .setAllowInsecureRegistries(true));

        Path tar = work.resolve("pulled.tar");
        JibContainer pulled = Jib.from(RegistryImage.named("127.0.0.1:" + port + "/mirror/team/app:2.0"))
                .containerize(Containerizer.to(TarImage.at(tar).named("pulled:1")).setAllowInsecureRegistries(true));

        assertThat(pulled.getImageId()).isEqualTo(pushed.getImageId());
        assertThat(registry.upstreams()).singleElement().satisfies(u -> assertThat(u.prefix()).isEqualTo("mirror"));
        // Served from the starter's own storage now: the manifest is there under the local name.
        assertThat(registry.repository("mirror/team/app").manifests().getOrThrow(Reference.parse("2.0")).digest()
                .toString()).isEqualTo(pushed.getDigest().toString());
        assertThat(Client.at(port).get("/v2/other/app/manifests/2.0").statusCode())
                .as("outside the prefix nothing is pulled through").isEqualTo(404);
    }

    @Test
    void postsThePushEventToTheWebhookWithItsHeader() throws Exception {
        byte[] blob = "a layer that makes an event".getBytes(StandardCharsets.UTF_8);
        String digest = Client.digest(blob);

        assertThat(Client.at(port).pushBlob("hooked/app", blob).statusCode()).isEqualTo(201);

        String envelope = awaitEnvelope(digest, Duration.ofSeconds(20));
        assertThat(envelope).startsWith("Bearer hook-secret\n").contains("\"action\":\"push\"")
                .contains("\"repository\":\"hooked/app\"");
        assertThat(notifier.endpoints()).singleElement().satisfies(e -> assertThat(e.name()).isEqualTo("hook"));
    }

    /** The first envelope that mentions {@code text}, waiting for each as it is delivered. */
    private static String awaitEnvelope(String text, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            String envelope = ENVELOPES.poll(Duration.between(Instant.now(), deadline).toMillis(),
                    TimeUnit.MILLISECONDS);
            if (envelope != null && envelope.contains(text)) {
                return envelope;
            }
        }
        throw new AssertionError("no event about " + text + " arrived within " + timeout);
    }
}
