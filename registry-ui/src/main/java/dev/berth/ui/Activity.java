package dev.berth.ui;

import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The registry's recent events, kept in memory for the console's activity page: give it to
 * {@code Registry.Builder.events} (alone or next to other listeners) and to {@link ConsoleServlet.Builder#activity}.
 * Holds at most {@code capacity} events, dropping the oldest. The console also learns from it which repositories
 * changed, to recompute their sizes. Thread-safe; {@link #onEvent} never blocks for long.
 */
public final class Activity implements EventListener {
    private final int capacity;
    private final ArrayDeque<RegistryEvent> events;
    private final List<Consumer<RegistryEvent>> changes = new CopyOnWriteArrayList<>();

    public Activity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Composes this buffer with another listener: both get every event. */
    public EventListener and(EventListener other) {
        if (other == EventListener.NONE) {
            return this;
        }
        Activity self = this;
        return new EventListener() {
            @Override
            public void onEvent(RegistryEvent event) {
                try {
                    other.onEvent(event);
                } finally {
                    self.onEvent(event);
                }
            }

            @Override
            public boolean includeReferences() {
                return other.includeReferences();
            }

            @Override
            public String toString() {
                return other + " and " + self;
            }
        };
    }

    /** Calls {@code watcher} with every event but a pull (a push, mount or delete: something changed). */
    void onChange(Consumer<RegistryEvent> watcher) {
        changes.add(watcher);
    }

    @Override
    public void onEvent(RegistryEvent event) {
        if (event.action() != RegistryEvent.Action.PULL) {
            changes.forEach(w -> w.accept(event));
        }
        synchronized (events) {
            if (events.size() == capacity) {
                events.removeLast();
            }
            events.addFirst(event);
        }
    }

    public int capacity() {
        return capacity;
    }

    /** The events kept, the newest first. */
    public List<RegistryEvent> recent() {
        synchronized (events) {
            List<RegistryEvent> out = new ArrayList<>(events.size());
            for (Iterator<RegistryEvent> it = events.iterator(); it.hasNext();) {
                out.add(it.next());
            }
            return out;
        }
    }

    @Override
    public String toString() {
        return "Activity[last " + capacity + " events]";
    }
}
