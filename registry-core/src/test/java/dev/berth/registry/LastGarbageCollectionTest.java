package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.TestImages.ManualClock;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.gc.GcSummary;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link Registry#lastGarbageCollection()}: the summary a collection leaves in storage, seen by every registry on that
 * storage (the {@code garbage-collect} command runs in a process of its own), and kept in memory when it cannot be
 * written.
 */
class LastGarbageCollectionTest {
    static final GcOptions UNTAGGED = GcOptions.DEFAULTS.withDeleteUntagged(true).withGracePeriod(Duration.ZERO);
    final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
    final InMemoryStorageDriver storage = new InMemoryStorageDriver(clock);

    @Test
    void noneBeforeTheFirstCollection() throws Exception {
        try (Registry registry = Registry.builder().storage(storage).clock(clock).build()) {
            assertThat(registry.lastGarbageCollection()).isEmpty();
        }
    }

    @Test
    void aCollectionByOneRegistryIsSeenByAnotherOnTheSameStorage() throws Exception {
        try (Registry server = Registry.builder().storage(storage).clock(clock).build();
                Registry command = Registry.builder().storage(storage).clock(clock).build()) {
            seenByTheOther(server, command);
        }
    }

    private void seenByTheOther(Registry server, Registry command) {
        Repository app = command.repository("app");
        push(app, "1.0", "one");
        push(app, "1.0", "two"); // the first image is untagged now
        clock.advance(Duration.ofMinutes(1));

        GcReport report = command.collectGarbage(UNTAGGED);

        GcSummary seen = server.lastGarbageCollection().orElseThrow();
        assertThat(seen).isEqualTo(GcSummary.of(report, clock.instant()));
        assertThat(seen.manifestsDeleted()).isEqualTo(1);
        assertThat(seen.blobsDeleted()).isEqualTo(report.blobsDeleted().size()).isPositive();
        assertThat(seen.bytesFreed()).isEqualTo(report.bytesFreed());
        assertThat(seen.dryRun()).isFalse();
        assertThat(seen.duration()).isEqualTo(Duration.ofMillis(report.duration().toMillis()));
        assertThat(app.tags().list()).containsExactly(new Tag("1.0"));
        assertThat(server.catalog()).as("the summary is no repository").extracting(Object::toString)
                .containsExactly("app");
    }

    @Test
    void theNewestCollectionWinsAndADryRunCountsAsOne() throws Exception {
        try (Registry registry = Registry.builder().storage(storage).clock(clock).build()) {
            registry.collectGarbage(UNTAGGED);
            clock.advance(Duration.ofHours(1));
            registry.collectGarbage(UNTAGGED.withDryRun(true));

            GcSummary last = registry.lastGarbageCollection().orElseThrow();
            assertThat(last.dryRun()).isTrue();
            assertThat(last.finishedAt()).isEqualTo(clock.instant());
        }
    }

    @Test
    void aReadOnlyRegistryKeepsItsDryRunInMemoryAndWritesNothing() throws Exception {
        try (Registry readOnly = Registry.builder().storage(storage).clock(clock).readOnly(true).build();
                Registry other = Registry.builder().storage(storage).clock(clock).build()) {
            readOnly.collectGarbage(UNTAGGED.withDryRun(true));

            assertThat(readOnly.lastGarbageCollection()).map(GcSummary::dryRun).contains(true);
            assertThat(other.lastGarbageCollection()).isEmpty();
        }
    }

    @Test
    void aDamagedSummaryIsTreatedAsNone() throws Exception {
        storage.putContent("/docker/registry/v2/_berth/gc/last.json", "{not json".getBytes(StandardCharsets.UTF_8));
        try (Registry registry = Registry.builder().storage(storage).clock(clock).build()) {
            assertThat(registry.lastGarbageCollection()).isEmpty();
            registry.collectGarbage(UNTAGGED);
            assertThat(registry.lastGarbageCollection()).isPresent();
        }
    }
}
