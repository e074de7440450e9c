package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.Uploads;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How much of an upload the store reads back to verify it: nothing on the instance that took every chunk. */
class UploadHashingTest {
    static final int CHUNKS = 64;
    static final int CHUNK = 64 << 10;

    final CountingDriver storage = new CountingDriver(new InMemoryStorageDriver());
    final byte[] blob = new byte[CHUNKS * CHUNK];
    final Digest digest;

    UploadHashingTest() {
        new Random(1).nextBytes(blob);
        digest = Digest.sha256(blob);
    }

    @Test
    void anUploadInManyChunksIsVerifiedWithoutReadingItBack() throws IOException {
        Repository repo = Registry.builder().storage(storage).build().repository("r");
        Uploads.UploadStatus up = repo.uploads().start();
        for (int i = 0; i < CHUNKS; i++) {
            repo.uploads().append(up.id(), (long) i * CHUNK, new ByteArrayInputStream(blob, i * CHUNK, CHUNK));
        }
        long before = storage.bytesRead.get();
        repo.uploads().commit(up.id(), digest, null);
        assertThat(storage.bytesRead.get()).isEqualTo(before).isZero();
    }

    @Test
    void replicasTakingTurnsReadOnlyTheChunksTheOtherOneWrote() throws IOException {
        Repository a = Registry.builder().storage(storage).build().repository("r");
        Repository b = Registry.builder().storage(storage).build().repository("r");
        Uploads.UploadStatus up = a.uploads().start();
        for (int i = 0; i < CHUNKS; i++) {
            Repository replica = List.of(a, b).get((i / 8) % 2); // eight chunks on one, eight on the other
            replica.uploads().append(up.id(), (long) i * CHUNK, new ByteArrayInputStream(blob, i * CHUNK, CHUNK));
        }
        a.uploads().commit(up.id(), digest, null);
        // Each replica catches up on the other's last run of chunks once: at most the whole blob, never more.
        assertThat(storage.bytesRead.get()).isPositive().isLessThanOrEqualTo(blob.length);
    }

    @Test
    void aCommitOnAnInstanceThatSawNothingReadsTheBlobOnce() throws IOException {
        Repository a = Registry.builder().storage(storage).build().repository("r");
        Uploads.UploadStatus up = a.uploads().start();
        a.uploads().append(up.id(), new ByteArrayInputStream(blob));
        Repository fresh = Registry.builder().storage(storage).build().repository("r");
        fresh.uploads().commit(up.id(), digest, null);
        assertThat(storage.bytesRead.get()).isEqualTo(blob.length);
    }

    /** Delegates to a real driver and counts the bytes read through {@link #reader}. */
    static final class CountingDriver extends ForwardingStorageDriver {
        final AtomicLong bytesRead = new AtomicLong();

        CountingDriver(StorageDriver d) {
            super(d);
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public InputStream reader(String path, long offset) throws IOException {
            return new FilterInputStream(super.reader(path, offset)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    bytesRead.addAndGet(Math.max(n, 0));
                    return n;
                }
            };
        }
    }
}
