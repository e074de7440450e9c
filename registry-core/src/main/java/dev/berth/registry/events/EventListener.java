package dev.berth.registry.events;

/**
 * Receives the registry's {@link RegistryEvent}s (distribution's notifications), given to
 * {@code Registry.Builder.events}: the pushes, pulls, mounts and deletes of every repository the registry builds,
 * whoever calls it (the servlet, an embedder, the command line), and the deletes of its lifecycle operations
 * (repository deletion, retention, garbage collection of untagged manifests). An event is raised once its action
 * succeeded, on the thread that did it, concurrently with others: an implementation must be thread-safe, must return
 * at once (queue the event, never do I/O in the call) and should not throw; an exception it throws is logged and does
 * not fail the action.
 */
public interface EventListener {

    /** No listener: events are not even built. */
    EventListener NONE = new EventListener() {
        @Override
        public void onEvent(RegistryEvent event) {
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    /** Takes an event; must not block. */
    void onEvent(RegistryEvent event);

    /**
     * Whether manifest events should carry the descriptors the manifest references (distribution's
     * {@code notifications.events.includereferences}); a pull then parses the manifest it serves. Off by default.
     */
    default boolean includeReferences() {
        return false;
    }
}
