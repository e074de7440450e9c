package dev.berth.notifications;

import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's notifications: an {@link EventListener} that stamps each event with this registry instance's
 * {@link RegistryEvent.Source} and hands it to every configured {@link Endpoint} (each with its own queue, thread and
 * retries, so one endpoint that is down delays no other). Give it to the registry with
 * {@code Registry.builder().events(notifier)}; close it after the registry's last action (a server: once it has
 * stopped taking requests). Thread-safe.
 *
 * <pre>{@code
 * Notifier notifier = Notifier.start(List.of(EndpointConfig.of("hook", URI.create("https://hooks.example.com/"))),
 *         false, new RegistryEvent.Source("registry-1:5000", Notifier.INSTANCE_ID));
 * }</pre>
 */
public final class Notifier implements EventListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    /** This process's instance id, as distribution has one per run: a random UUID, new with every start. */
    public static final String INSTANCE_ID = UUID.randomUUID().toString();

    private final List<Endpoint> endpoints;
    private final boolean includeReferences;
    private final RegistryEvent.Source source;

    private Notifier(List<Endpoint> endpoints, boolean includeReferences, RegistryEvent.Source source) {
        this.endpoints = List.copyOf(endpoints);
        this.includeReferences = includeReferences;
        this.source = source;
    }

    /**
     * Starts an endpoint for every configuration that is not {@linkplain EndpointConfig#disabled() disabled}.
     *
     * @param includeReferences whether manifest events carry the descriptors the manifest references
     * @param source            stamped on events that have none
     */
    public static Notifier start(List<EndpointConfig> configs, boolean includeReferences,
            RegistryEvent.Source source) {
        Objects.requireNonNull(source, "source");
        List<Endpoint> started = new ArrayList<>();
        for (EndpointConfig c : configs) {
            if (c.disabled()) {
                LOG.info("notification endpoint {} ({}) is disabled", c.name(), c.redactedUrl());
                continue;
            }
            started.add(Endpoint.start(c));
            LOG.info("notification endpoint {} ({}): timeout {}ms, threshold {}, backoff {}ms, queue {}, headers {}",
                    c.name(), c.redactedUrl(), c.timeout().toMillis(), c.threshold(), c.backoff().toMillis(),
                    c.queueSize(), c.headers().keySet());
        }
        return new Notifier(started, includeReferences, source);
    }

    /** The running endpoints (disabled ones are not among them). */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** What events without a source are stamped with. */
    public RegistryEvent.Source source() {
        return source;
    }

    @Override
    public void onEvent(RegistryEvent event) {
        RegistryEvent stamped = event.source().equals(RegistryEvent.Source.NONE) ? event.withSource(source) : event;
        for (Endpoint e : endpoints) {
            e.offer(stamped);
        }
    }

    @Override
    public boolean includeReferences() {
        return includeReferences;
    }

    /** Closes every endpoint, letting each deliver what it has queued for up to {@link Endpoint#DEFAULT_DRAIN}. */
    @Override
    public void close() {
        close(Endpoint.DEFAULT_DRAIN);
    }

    /** As {@link #close()}; the endpoints drain at the same time, so the whole takes about {@code drain}. */
    public void close(Duration drain) {
        endpoints.forEach(e -> e.beginClose(drain));
        endpoints.forEach(Endpoint::awaitClosed);
    }

    @Override
    public String toString() {
        return "Notifier" + endpoints;
    }
}
