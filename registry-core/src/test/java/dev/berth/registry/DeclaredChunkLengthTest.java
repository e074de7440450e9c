package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A chunk whose length the client declared takes no byte past it and is refused, and rolled back, when its stream
 * goes on or ends short: the upload holds what it held before, and the right chunk is taken next.
 */
class DeclaredChunkLengthTest {
    final Repository repo = Registry.builder().storage(new InMemoryStorageDriver()).build().repository("r");
    final byte[] blob = new byte[700_000];

    DeclaredChunkLengthTest() {
        new Random(4).nextBytes(blob);
    }

    @Test
    void aStreamLongerThanDeclaredIsRefusedAndLeavesTheUploadAsItWas() throws IOException {
        Uploads.UploadStatus up = repo.uploads().start();
        repo.uploads().append(up.id(), 0, new ByteArrayInputStream(blob, 0, 1000));
        Uploads.ChunkWriter chunk = repo.uploads().openChunk(up.id(), 1000, 500_000);
        assertRefused(() -> chunk.readAll(new ByteArrayInputStream(blob, 1000, 500_001)), ErrorCode.RANGE_INVALID);
        chunk.close(); // harmless after a refusal
        assertThat(repo.uploads().status(up.id()).offset()).isEqualTo(1000);

        try (Uploads.ChunkWriter right = repo.uploads().openChunk(up.id(), 1000, 699_000)) {
            right.readAll(new ByteArrayInputStream(blob, 1000, 699_000));
            assertThat(right.finish().offset()).isEqualTo(blob.length);
        }
        assertThat(repo.uploads().commit(up.id(), Digest.sha256(blob), null).size()).isEqualTo(blob.length);
        assertThat(repo.blobs().open(Digest.sha256(blob), 0).readAllBytes()).isEqualTo(blob);
    }

    @Test
    void aStreamShorterThanDeclaredIsRefusedByFinishAndByCommit() throws IOException {
        Uploads.UploadStatus up = repo.uploads().start();
        Uploads.ChunkWriter chunk = repo.uploads().openChunk(up.id(), 0, 600_000);
        chunk.readAll(new ByteArrayInputStream(blob, 0, 599_999));
        assertRefused(chunk::finish, ErrorCode.RANGE_INVALID);
        assertThat(repo.uploads().status(up.id()).offset()).isZero();

        Digest d = Digest.sha256(Arrays.copyOf(blob, 600_000));
        Uploads.ChunkWriter last = repo.uploads().openChunk(up.id(), 0, 600_000);
        last.readAll(new ByteArrayInputStream(blob, 0, 300_000));
        assertRefused(() -> last.commit(d), ErrorCode.RANGE_INVALID);
        assertThat(repo.blobs().stat(d)).isEmpty();
        assertThat(repo.uploads().status(up.id()).offset()).isZero();

        try (Uploads.ChunkWriter right = repo.uploads().openChunk(up.id(), 0, 600_000)) {
            right.readAll(new ByteArrayInputStream(blob, 0, 600_000));
            assertThat(right.commit(d).digest()).isEqualTo(d);
        }
    }

    @Test
    void aLengthIsMinusOneOrAtLeastZero() {
        Uploads.UploadStatus up = repo.uploads().start();
        assertThatThrownBy(() -> repo.uploads().openChunk(up.id(), 0, -2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @FunctionalInterface
    interface Action {
        void run() throws IOException;
    }

    private static void assertRefused(Action action, ErrorCode code) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.detail()).contains("declares");
        });
    }
}
