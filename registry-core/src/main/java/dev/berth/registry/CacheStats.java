package dev.berth.registry;

/**
 * What a registry's cache did since the registry was built: lookups answered ({@code hits}), lookups that went to
 * storage ({@code misses}), and calls that failed ({@code errors}: the request was served from storage instead).
 */
public record CacheStats(long hits, long misses, long errors) {
}
