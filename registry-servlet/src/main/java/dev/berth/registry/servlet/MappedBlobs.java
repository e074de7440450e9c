package dev.berth.registry.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Read-only memory mappings of blob files, shared by the pulls of one blob that run at the same time (a thundering
 * herd: a rollout pulls the same layers on hundreds of nodes at once). A download writes slices of the shared mapping
 * to the socket: the kernel copies the page cache straight into the socket, with no read into a buffer of ours first,
 * and the slices cost no memory per client, so every client of the herd can be sent large slices (few system calls)
 * where buffers would have to be small and few.
 *
 * <p>Only blobs that more than one pull reads at once are mapped, and each mapping is kept while it is in use: on the
 * virtual machines measured here, the first touch of each 4 KiB page of a new mapping costs a page fault of 4-13
 * microseconds (1-3 s per GiB, ten times what reading the same GiB into a direct buffer costs), so a mapping pays off
 * only when many pulls share it, and a pull that maps its own slices is 2-3 times slower than one that reads into a
 * buffer. A single pull therefore reads into a pooled buffer ({@link Buffers}).
 *
 * <p>Mappings are cut in {@value #SEGMENT_MIB} MiB segments (so a huge blob is not mapped whole for a client that reads
 * its first bytes); at most {@value #BUDGET_MIB} MiB stay mapped, the least recently used are dropped first, and a
 * segment nobody used for {@value #IDLE_SECONDS} s is dropped. Java 17 cannot unmap a buffer: a dropped mapping goes
 * when the garbage collector finds it unreferenced (the container may still be writing a slice of it, which is why it
 * is not unmapped by force). Until then it holds its pages of the page cache (not of the heap) and, for a blob deleted
 * meanwhile, the file's disk space.
 *
 * <p>Blobs are keyed by digest and size: content-addressed, the same key is the same bytes in any store, and a
 * download only gets here after its repository has found and opened the blob.
 */
final class MappedBlobs {
    static final int SEGMENT_MIB = 64;
    static final int BUDGET_MIB = 1024;
    static final int IDLE_SECONDS = 30;
    static final MappedBlobs SHARED = new MappedBlobs((long) SEGMENT_MIB << 20, (long) BUDGET_MIB << 20,
            TimeUnit.SECONDS.toNanos(IDLE_SECONDS));

    private final long segment;
    private final long budget;
    private final long idleNanos;
    /** Pulls in flight per blob. */
    private final Map<Blob, Integer> pulling = new ConcurrentHashMap<>();
    /** The mappings, least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<Segment, Mapping> mappings = new LinkedHashMap<>(16, 0.75f, true);
    private long mapped;

    record Blob(String digest, long size) {
    }

    private record Segment(Blob blob, long index) {
    }

    private static final class Mapping {
        final MappedByteBuffer buffer;
        long lastUse;

        Mapping(MappedByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    MappedBlobs(long segment, long budget, long idleNanos) {
        this.segment = segment;
        this.budget = budget;
        this.idleNanos = idleNanos;
    }

    /** A pull of {@code blob} begins; {@link #ended} must follow. */
    void started(Blob blob) {
        pulling.merge(blob, 1, Integer::sum);
    }

    void ended(Blob blob) {
        pulling.computeIfPresent(blob, (b, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Up to {@code max} bytes of {@code blob} from {@code position} on (never past the end of a segment), as a view
     * of a shared mapping, or null when the blob is not worth mapping: no mapping of that segment exists and no other
     * pull of the blob is in flight. {@code file} is the blob's content, used when a segment has to be mapped.
     */
    ByteBuffer slice(Blob blob, FileChannel file, long position, int max) throws IOException {
        long index = position / segment;
        long start = index * segment;
        Segment key = new Segment(blob, index);
        MappedByteBuffer m;
        synchronized (this) {
            Mapping e = mappings.get(key);
            if (e == null) {
                Integer n = pulling.get(blob);
                if (n == null || n < 2) {
                    return null;
                }
                e = new Mapping(file.map(FileChannel.MapMode.READ_ONLY, start, Math.min(segment, blob.size() - start)));
                mappings.put(key, e);
                mapped += e.buffer.capacity();
                Iterator<Mapping> eldest = mappings.values().iterator();
                while (mapped > budget && eldest.hasNext()) {
                    Mapping old = eldest.next();
                    if (old != e) {
                        mapped -= old.buffer.capacity();
                        eldest.remove();
                    }
                }
            }
            e.lastUse = System.nanoTime();
            m = e.buffer;
        }
        int offset = (int) (position - start);
        return m.slice(offset, Math.min(max, m.capacity() - offset));
    }

    /** Drops the mappings nobody used for the idle time (the transfer watch calls this once a second). */
    synchronized void expire(long now) {
        Iterator<Mapping> it = mappings.values().iterator();
        while (it.hasNext()) {
            Mapping e = it.next();
            if (now - e.lastUse > idleNanos) {
                mapped -= e.buffer.capacity();
                it.remove();
            }
        }
    }

    /** Bytes mapped now (for tests). */
    synchronized long mappedBytes() {
        return mapped;
    }

    /** Pulls in flight of {@code blob} (for tests). */
    int pulling(Blob blob) {
        return pulling.getOrDefault(blob, 0);
    }
}
