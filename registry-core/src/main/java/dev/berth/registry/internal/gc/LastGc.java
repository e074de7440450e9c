package dev.berth.registry.internal.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.registry.gc.GcSummary;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.store.Store;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The last garbage collection's summary in storage ({@link Layout#LAST_GC}), so that a collection run by the
 * {@code garbage-collect} command in a process of its own is seen by the servers sharing the storage. A small JSON
 * object; one that cannot be read (damaged, or written by a later version with other fields) is treated as absent.
 */
public final class LastGc {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LastGc() {
    }

    /** Writes {@code summary} over the previous one. */
    public static void write(Store store, GcSummary summary) {
        ObjectNode o = JSON.createObjectNode();
        o.put("finishedAt", summary.finishedAt().toString());
        o.put("dryRun", summary.dryRun());
        o.put("cutoff", summary.cutoff().toString());
        o.put("repositories", summary.repositories());
        o.put("manifestsKept", summary.manifestsKept());
        o.put("manifestsDeleted", summary.manifestsDeleted());
        o.put("blobsKept", summary.blobsKept());
        o.put("blobsDeleted", summary.blobsDeleted());
        o.put("bytesFreed", summary.bytesFreed());
        o.put("linksDeleted", summary.linksDeleted());
        o.put("durationMillis", summary.duration().toMillis());
        o.put("incompleteWrites", summary.incompleteWrites());
        try {
            store.put(Layout.LAST_GC, JSON.writeValueAsBytes(o));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON object", e);
        }
    }

    /** The summary in storage, if there is a readable one. */
    public static Optional<GcSummary> read(Store store) {
        return store.get(Layout.LAST_GC).flatMap(bytes -> {
            try {
                JsonNode o = JSON.readTree(bytes);
                if (o == null || !o.isObject()) {
                    return Optional.empty();
                }
                return Optional.of(new GcSummary(Instant.parse(o.path("finishedAt").asText()),
                        o.path("dryRun").asBoolean(), Instant.parse(o.path("cutoff").asText()),
                        o.path("repositories").asInt(), o.path("manifestsKept").asInt(),
                        o.path("manifestsDeleted").asInt(), o.path("blobsKept").asInt(),
                        o.path("blobsDeleted").asInt(), o.path("bytesFreed").asLong(), o.path("linksDeleted").asInt(),
                        Duration.ofMillis(o.path("durationMillis").asLong()), o.path("incompleteWrites").asInt()));
            } catch (IOException | DateTimeException e) {
                return Optional.empty();
            }
        });
    }
}
