package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.TestImages.ManualClock;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads.UploadStatus;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Registry#uploadsInProgress()}: what is being pushed right now, read from storage like the purge reads it. */
class UploadsInProgressTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
    final InMemoryStorageDriver storage = new InMemoryStorageDriver(clock);
    final Registry registry = Registry.builder().storage(storage).clock(clock).build();

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    @Test
    void listsEachStartedUploadWithItsRepositoryStartAndBytesReceived() throws Exception {
        Repository app = registry.repository("lib/app");
        push(app, "1.0", "app");
        UploadStatus first = app.uploads().start();
        app.uploads().append(first.id(), new ByteArrayInputStream(new byte[1000]));
        clock.advance(Duration.ofMinutes(5));
        UploadStatus empty = app.uploads().start();
        UploadStatus nested = registry.repository("lib/app/sub").uploads().start();

        assertThat(registry.uploadsInProgress()).containsExactly(
                new UploadInProgress(RepositoryName.parse("lib/app"), first.id(), first.startedAt(), 1000),
                new UploadInProgress(RepositoryName.parse("lib/app"), empty.id(), empty.startedAt(), 0),
                new UploadInProgress(RepositoryName.parse("lib/app/sub"), nested.id(), nested.startedAt(), 0));
        assertThat(first.startedAt()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void finishedCancelledAndPurgedUploadsAreNoLongerInProgress() throws Exception {
        Repository app = registry.repository("app");
        byte[] blob = "a blob".getBytes(StandardCharsets.UTF_8);
        UploadStatus done = app.uploads().start();
        UploadStatus cancelled = app.uploads().start();
        registry.repository("old").uploads().start();
        clock.advance(Duration.ofHours(2));
        UploadStatus recent = app.uploads().start();
        clock.advance(Duration.ofHours(2));
        assertThat(registry.uploadsInProgress()).hasSize(4);

        app.uploads().commit(done.id(), Digest.sha256(blob), new ByteArrayInputStream(blob));
        app.uploads().cancel(cancelled.id());
        registry.purgeUploads(Duration.ofHours(3), false);

        assertThat(registry.uploadsInProgress()).extracting(UploadInProgress::id).containsExactly(recent.id());
    }

    @Test
    void anUploadWithoutStartedAtIsDatedByItsData() throws Exception {
        Repository app = registry.repository("app");
        UploadStatus u = app.uploads().start();
        app.uploads().append(u.id(), new ByteArrayInputStream(new byte[10]));
        storage.delete("/docker/registry/v2/repositories/app/_uploads/" + u.id() + "/startedat");

        assertThat(registry.uploadsInProgress()).singleElement().satisfies(found -> {
            assertThat(found.startedAt()).isEqualTo(clock.instant());
            assertThat(found.bytes()).isEqualTo(10);
        });
    }

    @Test
    void anEmptyStoreHasNone() {
        assertThat(registry.uploadsInProgress()).isEmpty();
    }
}
