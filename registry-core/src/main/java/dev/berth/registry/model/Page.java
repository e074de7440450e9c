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

    /** The first page of {@code sorted}: at most {@code n} items, and {@code next} when more follow. */
    public static <T> Page<T> first(List<T> sorted, int n) {
        if (sorted.size() <= n) {
            return new Page<>(sorted, Optional.empty());
        }
        List<T> items = sorted.subList(0, n);
        return new Page<>(items, n == 0 ? Optional.empty() : Optional.of(items.get(n - 1)));
    }

    public boolean hasMore() {
        return next.isPresent();
    }
}
