package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared mappings: only for blobs pulled at once, the right bytes across segments, bounded and expiring. */
class MappedBlobsTest {
    static final int SEGMENT = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aBlobIsMappedOnlyWhileSeveralPullsReadItAndEverySliceHasTheFilesBytes() throws Exception {
        byte[] bytes = new byte[3 * SEGMENT + 12345];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(dir.resolve("blob"), bytes);
        MappedBlobs maps = new MappedBlobs(SEGMENT, 8L * SEGMENT, 60_000_000_000L);
        MappedBlobs.Blob blob = new MappedBlobs.Blob("sha256:x", bytes.length);
        try (FileChannel ch = FileChannel.open(file)) {
            maps.started(blob);
            assertThat(maps.slice(blob, ch, 0, 4096)).as("one pull reads into its buffer").isNull();
            maps.started(blob);
            assertThat(maps.pulling(blob)).isEqualTo(2);
            // Read it all in odd-sized slices: none crosses a segment, together they are the file.
            byte[] read = new byte[bytes.length];
            int position = 0;
            while (position < bytes.length) {
                ByteBuffer slice = maps.slice(blob, ch, position, 300_001);
                assertThat(slice.remaining()).isPositive().isLessThanOrEqualTo(300_001);
                assertThat(position / SEGMENT).isEqualTo((position + slice.remaining() - 1) / SEGMENT);
                int n = slice.remaining();
                slice.get(read, position, n);
                position += n;
            }
            assertThat(Arrays.equals(read, bytes)).isTrue();
            assertThat(maps.mappedBytes()).isEqualTo(bytes.length);
            maps.ended(blob);
            maps.ended(blob);
            assertThat(maps.pulling(blob)).isZero();
            // A segment mapped already is used by a pull alone, until it expires.
            assertThat(maps.slice(blob, ch, 5, 10)).isNotNull();
            maps.expire(System.nanoTime() + 61_000_000_000L);
            assertThat(maps.mappedBytes()).isZero();
            assertThat(maps.slice(blob, ch, 5, 10)).isNull();
        }
    }

    @Test
    void theLeastRecentlyUsedSegmentsGoWhenTheBudgetIsFull() throws Exception {
        byte[] bytes = new byte[4 * SEGMENT];
        new Random(8).nextBytes(bytes);
        Path file = Files.write(dir.resolve("blob"), bytes);
        MappedBlobs maps = new MappedBlobs(SEGMENT, 2L * SEGMENT, 60_000_000_000L);
        MappedBlobs.Blob blob = new MappedBlobs.Blob("sha256:y", bytes.length);
        try (FileChannel ch = FileChannel.open(file)) {
            maps.started(blob);
            maps.started(blob);
            for (int i = 0; i < 4; i++) {
                ByteBuffer slice = maps.slice(blob, ch, (long) i * SEGMENT + 10, 100);
                assertThat(slice.get(0)).isEqualTo(bytes[i * SEGMENT + 10]);
                assertThat(maps.mappedBytes()).isLessThanOrEqualTo(2L * SEGMENT);
            }
            assertThat(maps.mappedBytes()).isEqualTo(2L * SEGMENT);
        }
    }
}
