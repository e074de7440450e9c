package dev.berth.registry.events;

/**
 * Receives the registry's {@link RegistryEvent}s: what the servlet reports after a request succeeded (distribution's
 * notifications). Called on request threads, concurrently: an implementation must be thread-safe, must return at
 * once (queue the event, never do I/O in the call) and should not throw; an exception it throws is logged and does not
 * fail the request.
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
