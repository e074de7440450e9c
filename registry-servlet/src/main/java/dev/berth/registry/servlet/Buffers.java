package dev.berth.registry.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The buffers blob downloads are written from, pooled and bounded so that memory does not grow with the number of
 * clients. A client that keeps up may take a large buffer (few system calls per GiB) while there are any left: at
 * most {@value #LARGE_BUDGET} exist at once (64 MiB); everyone else, and every slow reader, writes from a small one.
 * A herd of 500 fast pulls of different blobs then holds 16 large buffers and 484 small ones, not 500 large ones
 * (pulls of the same blob write from a shared mapping instead, see below). When the JVM has no room left for a large
 * buffer (its direct memory limit, {@code -XX:MaxDirectMemorySize}, is the maximum heap unless set), the client
 * gets a small one.
 *
 * <p>Direct buffers (for containers whose output takes {@link ByteBuffer}s) go from the file to the socket without
 * passing through the Java heap: measured here, a direct 1 MiB buffer sends a cached 1 GiB file in 0.39-0.41 s, a
 * heap one in 0.43-0.46 s, 256 KiB heap ones in 0.54-0.65 s, and mapped 4 MiB slices in 1.06-1.21 s (a page fault per
 * 4 KiB page, and mappings that live until a garbage collection). Pulls of a blob that other pulls read at the same
 * time write from a mapping they share instead, which pays its page faults once for all of them ({@link MappedBlobs}).
 *
 * <p>Large buffers are 4 MiB, not 1 MiB: a quarter of the writes per GiB is a quarter of the container's work per
 * byte. Measured in turns on this 2-core machine (a server's first 1 GiB pull after its start, then warm pulls, to a
 * reader with a 4 MiB buffer, five or six starts each): warm pulls 0.30-0.35 s against 0.35-0.45 s with 1 MiB; a
 * client that keeps up gets the buffer in parts sized by its rate ({@code AsyncDownload}), so that the rate watch is
 * never far ahead of it, and kept 0.34-0.42 s of that.
 */
final class Buffers {
    static final int LARGE = 4 << 20;
    static final int SMALL = 16 << 10;
    static final int LARGE_BUDGET = 16;
    private static final int SMALL_POOL = 1024;

    static final Buffers DIRECT = new Buffers(true);
    static final Buffers HEAP = new Buffers(false);

    private final IntFunction<ByteBuffer> allocator;
    private final BlockingQueue<ByteBuffer> large = new ArrayBlockingQueue<>(LARGE_BUDGET);
    private final BlockingQueue<ByteBuffer> small = new ArrayBlockingQueue<>(SMALL_POOL);
    private final AtomicInteger largeOut = new AtomicInteger();

    Buffers(boolean direct) {
        this(direct ? ByteBuffer::allocateDirect : ByteBuffer::allocate);
    }

    /** Buffers made by {@code allocator} (a test's, to provoke a JVM out of direct memory). */
    Buffers(IntFunction<ByteBuffer> allocator) {
        this.allocator = allocator;
    }

    /** A large buffer, or null when all {@value #LARGE_BUDGET} are in use. Give it back with {@link #release}. */
    ByteBuffer large() {
        ByteBuffer b = large.poll();
        if (b != null) {
            return b.clear();
        }
        if (largeOut.incrementAndGet() > LARGE_BUDGET) {
            largeOut.decrementAndGet();
            return null;
        }
        try {
            return allocator.apply(LARGE);
        } catch (OutOfMemoryError e) {
            // No room for one more (direct memory is capped apart from the heap): the client writes from a small
            // buffer, as when the budget is spent, rather than fail its pull.
            largeOut.decrementAndGet();
            return null;
        }
    }

    ByteBuffer small() {
        ByteBuffer b = small.poll();
        return b != null ? b.clear() : allocator.apply(SMALL);
    }

    /** Takes back a buffer once the container is done with it (it may hold it until the write completes). */
    void release(ByteBuffer b) {
        if (b == null) {
            return;
        }
        if (b.capacity() == LARGE) {
            if (!large.offer(b)) {
                largeOut.decrementAndGet();
            }
        } else {
            small.offer(b);
        }
    }

    /**
     * Gives up a buffer that cannot be reused (the container may still be writing from it, after a failure or a cut):
     * the garbage collector takes it, and a large one's place in the budget is free again.
     */
    void discard(ByteBuffer b) {
        if (b != null && b.capacity() == LARGE) {
            largeOut.decrementAndGet();
        }
    }
}
