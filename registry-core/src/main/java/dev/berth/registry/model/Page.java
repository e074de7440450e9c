package dev.berth.registry.model;

import java.util.List;
import java.util.Optional;

/**
 * One page of a sorted listing (tags, catalog). {@code next} is the last item of this page when more items follow,
 * i.e. the {@code last} to ask for the next page with; it is empty on the final page.
 */
public record Page<T>(List<T> items, Optional<T> next) {
    public Page {
        items = List.copyOf(items);
        next = next == null ? Optional.empty() : next;
    }

    public boolean hasMore() {
        return next.isPresent();
    }
}
