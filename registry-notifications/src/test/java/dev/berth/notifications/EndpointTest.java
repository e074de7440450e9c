package dev.berth.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.registry.events.RegistryEvent.Action;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.model.Digest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One endpoint against a real receiver: envelopes, batching, retries, the queue bound, filters, headers, close. */
class EndpointTest {
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    static RegistryEvent event(int n) {
        byte[] bytes = ("blob " + n).getBytes(StandardCharsets.UTF_8);
        return RegistryEvent.of(Action.PUSH, RegistryEvent.Target.content("application/octet-stream", bytes.length,
                Digest.sha256(bytes), "lib/app", "http://registry.example.com/v2/lib/app/blobs/"
                        + Digest.sha256(bytes)), new RegistryEvent.Request("req-" + n, "10.0.0.1", "registry.example.com",
                "PUT", "docker/27"), new RegistryEvent.Actor("alice"))
                .withSource(new RegistryEvent.Source("registry-1:5000", "instance-1"));
    }

    /** Retries at once; a timeout no loaded machine reaches (a POST cut short would be sent again). */
    static EndpointConfig fast(URI url) {
        return EndpointConfig.of("hook", url).withRetries(Duration.ofSeconds(30), 2, Duration.ofMillis(50));
    }

    @Test
    void postsAnEnvelopeInDistributionsFormat() throws Exception {
        Receiver receiver = closing(new Receiver());
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url())));
        RegistryEvent sent = event(1);
        assertThat(endpoint.offer(sent)).isTrue();

        JsonNode e = receiver.awaitAccepted(1).get(0);
        Receiver.Post post = receiver.posts.get(0);
        assertThat(post.header("Content-Type")).isEqualTo("application/vnd.docker.distribution.events.v1+json");
        assertThat(e.path("id").asText()).isEqualTo(sent.id());
        assertThat(e.path("timestamp").asText()).isEqualTo(sent.timestamp().toString());
        assertThat(e.path("action").asText()).isEqualTo("push");
        JsonNode t = e.path("target");
        assertThat(t.path("mediaType").asText()).isEqualTo("application/octet-stream");
        assertThat(t.path("digest").asText()).isEqualTo(sent.target().digest().toString());
        assertThat(t.path("size").asLong()).isEqualTo(6);
        assertThat(t.path("length").asLong()).isEqualTo(6);
        assertThat(t.path("repository").asText()).isEqualTo("lib/app");
        assertThat(t.path("url").asText()).isEqualTo(sent.target().url());
        assertThat(t.has("tag")).as("empty fields are left out, as distribution's omitempty").isFalse();
        assertThat(e.path("request").path("id").asText()).isEqualTo("req-1");
        assertThat(e.path("request").path("addr").asText()).isEqualTo("10.0.0.1");
        assertThat(e.path("request").path("host").asText()).isEqualTo("registry.example.com");
        assertThat(e.path("request").path("method").asText()).isEqualTo("PUT");
        assertThat(e.path("request").path("useragent").asText()).isEqualTo("docker/27");
        assertThat(e.path("actor").path("name").asText()).isEqualTo("alice");
        assertThat(e.path("source").path("addr").asText()).isEqualTo("registry-1:5000");
        assertThat(e.path("source").path("instanceID").asText()).isEqualTo("instance-1");
        awaitStats(endpoint, st -> st.delivered() == 1);
    }

    /** The receiver records a POST before the endpoint has read the answer: statistics follow a moment later. */
    static void awaitStats(Endpoint endpoint, Predicate<Endpoint.Stats> done)
            throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.test(endpoint.stats()) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(endpoint.stats()).matches(done);
    }

    @Test
    void batchesWhatIsQueuedWhileAPostIsInFlightIntoOneEnvelope() throws Exception {
        Receiver receiver = closing(new Receiver());
        receiver.hold = new CountDownLatch(1);
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url())));
        endpoint.offer(event(0));
        assertThat(receiver.firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 30; i++) {
            endpoint.offer(event(i));
        }
        assertThat(endpoint.stats().pending()).isEqualTo(30);
        receiver.hold.countDown();

        receiver.awaitAccepted(31);
        assertThat(receiver.posts).hasSize(2);
        assertThat(receiver.posts.get(1).events()).hasSize(30)
                .extracting(n -> n.path("request").path("id").asText()).startsWith("req-1").endsWith("req-30");
    }

    @Test
    void anEnvelopeHoldsAtMostMaxBatchEvents() throws Exception {
        Receiver receiver = closing(new Receiver());
        receiver.hold = new CountDownLatch(1);
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url())));
        endpoint.offer(event(0));
        assertThat(receiver.firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= Endpoint.MAX_BATCH + 5; i++) {
            endpoint.offer(event(i));
        }
        receiver.hold.countDown();
        receiver.awaitAccepted(Endpoint.MAX_BATCH + 6);
        assertThat(receiver.posts).extracting(p -> p.events().size()).containsExactly(1, Endpoint.MAX_BATCH, 5);
    }

    @Test
    void retriesUntilTheReceiverAcceptsAndDeliversEachEventOnce() throws Exception {
        Receiver receiver = closing(new Receiver());
        AtomicInteger calls = new AtomicInteger();
        receiver.status = () -> calls.incrementAndGet() <= 4 ? 503 : 202;
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url())));
        endpoint.offer(event(1));
        endpoint.offer(event(2));

        List<JsonNode> accepted = receiver.awaitAccepted(2);
        assertThat(accepted).extracting(n -> n.path("request").path("id").asText()).containsExactly("req-1", "req-2");
        // The second event may have gone in the first envelope or in one of its own.
        List<Integer> answers = receiver.posts.stream().map(Receiver.Post::answered).toList();
        assertThat(answers.subList(0, 4)).containsOnly(503);
        assertThat(answers.subList(4, answers.size())).isNotEmpty().containsOnly(202);
        awaitStats(endpoint, st -> st.delivered() == 2);
        assertThat(endpoint.stats().failedAttempts()).isEqualTo(4);
    }

    @Test
    void deliversOnceAReceiverThatWasDownComesBack() throws Exception {
        int port = Receiver.closedPort();
        Endpoint endpoint = closing(Endpoint.start(fast(URI.create("http://127.0.0.1:" + port + "/events"))));
        endpoint.offer(event(1));
        awaitStats(endpoint, st -> st.failedAttempts() >= 3); // connection refused, retried
        endpoint.offer(event(2));

        Receiver receiver = closing(new Receiver(port));
        List<JsonNode> accepted = receiver.awaitAccepted(2);
        assertThat(accepted).extracting(n -> n.path("request").path("id").asText()).containsExactly("req-1", "req-2");
    }

    @Test
    void afterThresholdFailuresEachAttemptWaitsTheBackoff() throws Exception {
        Receiver receiver = closing(new Receiver());
        receiver.status = () -> 500;
        Endpoint endpoint = closing(Endpoint.start(EndpointConfig.of("hook", receiver.url())
                .withRetries(Duration.ofSeconds(2), 3, Duration.ofSeconds(30))));
        endpoint.offer(event(1));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (receiver.requests.get() < 3 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        // A negative, so a bounded wait: no fourth attempt in 300 ms (it would come at once without the backoff).
        Thread.sleep(300);
        assertThat(receiver.requests.get()).as("three attempts at once, then a 30s backoff").isEqualTo(3);
    }

    @Test
    void redirectsAndOther3xxAnswersAreSuccess() throws Exception {
        Receiver receiver = closing(new Receiver());
        receiver.status = () -> 302;
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url())));
        endpoint.offer(event(1));
        receiver.awaitAccepted(1);
        awaitStats(endpoint, st -> st.delivered() == 1); // the endpoint has the answer: no attempt follows
        assertThat(receiver.requests.get()).isEqualTo(1);
        assertThat(endpoint.stats().failedAttempts()).isZero();
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsThem() throws Exception {
        Receiver receiver = closing(new Receiver());
        receiver.hold = new CountDownLatch(1);
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url()).withQueueSize(5)));
        endpoint.offer(event(0));
        assertThat(receiver.firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 12; i++) {
            assertThat(endpoint.offer(event(i))).isTrue();
        }
        assertThat(endpoint.stats().pending()).isEqualTo(5);
        assertThat(endpoint.stats().dropped()).isEqualTo(7);
        receiver.hold.countDown();

        List<JsonNode> accepted = receiver.awaitAccepted(6);
        assertThat(accepted).extracting(n -> n.path("request").path("id").asText())
                .containsExactly("req-0", "req-8", "req-9", "req-10", "req-11", "req-12");
    }

    @Test
    void ignoredMediaTypesAndActionsAreNotSent() throws Exception {
        Receiver receiver = closing(new Receiver());
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url())
                .withIgnored(Set.of("application/octet-stream"), Set.of(Action.PULL))));
        RegistryEvent blob = event(1);
        RegistryEvent manifestPull = RegistryEvent.of(Action.PULL, RegistryEvent.Target.content(
                "application/vnd.oci.image.manifest.v1+json", 10, blob.target().digest(), "lib/app", null),
                blob.request(), blob.actor());
        RegistryEvent manifestPush = RegistryEvent.of(Action.PUSH, manifestPull.target(), blob.request(),
                blob.actor());
        RegistryEvent tagDelete = RegistryEvent.of(Action.DELETE, RegistryEvent.Target.deletedTag("lib/app", "1.0"),
                blob.request(), blob.actor());
        assertThat(endpoint.offer(blob)).isFalse();
        assertThat(endpoint.offer(manifestPull)).isFalse();
        assertThat(endpoint.offer(manifestPush)).isTrue();
        assertThat(endpoint.offer(tagDelete)).as("no media type: not ignored by media type").isTrue();

        List<JsonNode> accepted = receiver.awaitAccepted(2);
        assertThat(accepted).extracting(n -> n.path("id").asText()).containsExactly(manifestPush.id(), tagDelete.id());
        assertThat(endpoint.stats().ignored()).isEqualTo(2);
    }

    @Test
    void sendsTheConfiguredHeadersEveryValue() throws Exception {
        Receiver receiver = closing(new Receiver());
        Endpoint endpoint = closing(Endpoint.start(fast(receiver.url()).withHeaders(Map.of(
                "Authorization", List.of("Bearer s3cr3t"), "X-Tenant", List.of("a", "b")))));
        endpoint.offer(event(1));
        receiver.awaitAccepted(1);
        Receiver.Post post = receiver.posts.get(0);
        assertThat(post.header("Authorization")).isEqualTo("Bearer s3cr3t");
        assertThat(post.headerValues("X-Tenant")).containsExactly("a", "b");
        assertThat(endpoint.config().toString()).contains("Authorization").doesNotContain("s3cr3t");
    }

    @Test
    void closeDeliversWhatIsQueuedThenStops() throws Exception {
        Receiver receiver = closing(new Receiver());
        Endpoint endpoint = Endpoint.start(fast(receiver.url()));
        for (int i = 0; i < 50; i++) {
            endpoint.offer(event(i));
        }
        endpoint.close(Duration.ofSeconds(60)); // returns once all is delivered
        assertThat(receiver.accepted()).hasSize(50);
        assertThat(endpoint.offer(event(99))).as("closed").isFalse();
    }

    @Test
    void closeGivesUpOnAnEndpointThatHangsAfterTheDrainTime() throws Exception {
        Receiver.BlackHole hole = closing(new Receiver.BlackHole());
        Endpoint endpoint = Endpoint.start(EndpointConfig.of("hook", hole.url())
                .withRetries(Duration.ofSeconds(60), 10, Duration.ofSeconds(1)));
        endpoint.offer(event(1));
        endpoint.offer(event(2));
        long start = System.nanoTime();
        endpoint.close(Duration.ofMillis(200));
        // The drain time and a second for the cut POST; a close that waited for the POST would take its 60 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        // The delivery thread counts the cut POST's events as it ends, which may be a moment after close returns.
        awaitStats(endpoint, st -> st.dropped() == 2);
    }

    @Test
    void refusesBadConfigurationsNamingTheField() {
        URI url = URI.create("http://127.0.0.1:1/");
        assertThatThrownBy(() -> EndpointConfig.of("hook", URI.create("ftp://example.com/")))
                .hasMessageStartingWith("url:");
        assertThatThrownBy(() -> EndpointConfig.of("", url)).hasMessageStartingWith("name:");
        assertThatThrownBy(() -> EndpointConfig.of("hook", url).withRetries(Duration.ZERO, 1, Duration.ofSeconds(1)))
                .hasMessageStartingWith("timeout:");
        assertThatThrownBy(() -> EndpointConfig.of("hook", url).withRetries(Duration.ofSeconds(1), 0,
                Duration.ofSeconds(1))).hasMessageStartingWith("threshold:");
        assertThatThrownBy(() -> EndpointConfig.of("hook", url).withHeaders(Map.of("Host", List.of("x"))))
                .hasMessageStartingWith("headers.Host:");
        assertThatThrownBy(() -> EndpointConfig.of("hook", url).withHeaders(Map.of("Bad Name", List.of("x"))))
                .hasMessageStartingWith("headers.Bad Name:");
        assertThatThrownBy(() -> EndpointConfig.of("hook", url).withQueueSize(0)).hasMessageStartingWith("queuesize:");
    }
}
