package dev.berth.registry.internal.store;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Where an upload's bytes go as they arrive: into a storage writer, while the digest of the same bytes is computed
 * on another thread, so that an upload costs the slower of hashing and writing rather than their sum. Bytes are
 * pushed in ({@link #readFrom}), so a non-blocking server can feed it whenever the network has data, and a blocking
 * one in a loop.
 *
 * <p>Memory is bounded: a sink has at most {@value #IN_FLIGHT} buffers of {@value #BUFFER_SIZE} bytes at once, and
 * none while it waits for the client ({@link #flush} hands a partly filled buffer on): ten thousand idle uploads hold
 * no buffer. Buffers are recycled through a small shared pool, and hashing runs on a fixed pool of as many threads as
 * there are processors, with no thread parked per upload.
 *
 * <p>Used by one thread at a time (calls may come from different threads, one after another).
 */
public final class HashingSink {
    static final int BUFFER_SIZE = 256 << 10;
    /** The buffer of a client that paused last time: it is likely to send little before it pauses again. */
    static final int SMALL_BUFFER_SIZE = 16 << 10;
    static final int IN_FLIGHT = 4;
    private static final BlockingQueue<byte[]> POOL = new ArrayBlockingQueue<>(64);
    private static final BlockingQueue<byte[]> SMALL_POOL = new ArrayBlockingQueue<>(1024);

    private static final ExecutorService HASHERS = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "berth-digest");
                t.setDaemon(true);
                return t;
            });

    /** Thrown for a failure of the storage writer, to tell it apart from a failure of the client's stream. */
    public static final class WriteFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        WriteFailedException(IOException cause) {
            super(Failures.describe(cause), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private final StorageWriter writer;
    private final RunningHashes.State state;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    /** Completes when every buffer handed on so far is hashed; buffers are hashed in order. */
    private CompletableFuture<Void> hashed = CompletableFuture.completedFuture(null);
    private byte[] buffer;
    private int filled;
    private long written;
    private boolean paused;

    public HashingSink(StorageWriter writer, RunningHashes.State state) {
        this.writer = writer;
        this.state = state;
    }

    /**
     * Reads once from {@code in} (one {@code read} call, so it does not block on a non-blocking server's stream that
     * said it is ready) and takes what came: the number of bytes, or -1 at the end of the stream.
     *
     * @throws WriteFailedException when the storage writer fails
     * @throws IOException          the stream's own failure, as it is
     */
    public int readFrom(InputStream in) throws IOException {
        return readFrom(in, Integer.MAX_VALUE);
    }

    /** As {@link #readFrom(InputStream)}, taking at most {@code max} bytes (at least 1). */
    public int readFrom(InputStream in, int max) throws IOException {
        if (buffer == null) {
            acquireBuffer();
        }
        int n = in.read(buffer, filled, Math.min(max, buffer.length - filled));
        if (n > 0) {
            filled += n;
            if (filled == buffer.length) {
                paused = false; // the client keeps up: large buffers from now on
                handOn();
            }
        }
        return n;
    }

    /** Bytes taken so far. */
    public long size() {
        return written + filled;
    }

    /**
     * Writes and hands on for hashing what the current buffer holds: call it when the client pauses, so that a
     * waiting upload holds no buffer. After a pause the next buffer is small, until one fills up.
     */
    public void flush() throws IOException {
        if (buffer != null && filled < buffer.length) {
            paused = true;
        }
        handOn();
    }

    private void handOn() throws IOException {
        if (buffer == null) {
            return;
        }
        byte[] b = buffer;
        int n = filled;
        buffer = null;
        filled = 0;
        if (n == 0) {
            release(b);
            return;
        }
        try {
            writer.write(b, 0, n);
        } catch (IOException e) {
            release(b);
            throw new WriteFailedException(e);
        }
        written += n;
        if (n <= SMALL_BUFFER_SIZE && hashed.isDone()) {
            // A trickle: hashing it here costs microseconds, and nothing waits in the hashers' queue holding it.
            try {
                state.update(b, 0, n);
            } finally {
                release(b);
            }
            return;
        }
        hashed = hashed.thenRunAsync(() -> {
            try {
                state.update(b, 0, n);
            } finally {
                release(b);
            }
        }, HASHERS);
    }

    /**
     * Writes what is left and waits until every byte is hashed. After a failure of {@link #readFrom} the bytes that
     * did arrive can still be kept this way (the client may resume after them).
     */
    public void finish() throws IOException {
        handOn();
        awaitHashing();
    }

    /**
     * Drops what the current buffer holds without writing it, and waits for the hashing of what was handed on (the
     * caller discards this sink's bytes and its digest state).
     */
    public void discard() throws IOException {
        if (buffer != null) {
            byte[] b = buffer;
            buffer = null;
            filled = 0;
            release(b);
        }
        awaitHashing();
    }

    /** Waits for hashing to catch up without writing the current buffer (used when giving up). */
    public void awaitHashing() throws IOException {
        try {
            hashed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing an upload", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing failed", e.getCause());
        }
    }

    private void acquireBuffer() throws IOException {
        try {
            inFlight.acquire(); // back-pressure: the hasher is IN_FLIGHT buffers behind
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the upload's hashing", e);
        }
        byte[] b = paused ? SMALL_POOL.poll() : POOL.poll();
        buffer = b != null ? b : new byte[paused ? SMALL_BUFFER_SIZE : BUFFER_SIZE];
        filled = 0;
    }

    private void release(byte[] b) {
        (b.length == BUFFER_SIZE ? POOL : SMALL_POOL).offer(b);
        inFlight.release();
    }
}
