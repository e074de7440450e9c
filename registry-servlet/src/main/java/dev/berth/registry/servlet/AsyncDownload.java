package dev.berth.registry.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob's bytes written to the client with the Servlet API's asynchronous I/O: a thread is busy only while the
 * client's socket takes bytes, never while it waits for a slow reader, so thousands of slow pulls cost connections
 * and small buffers, not threads.
 *
 * <p>Buffers adapt to the client ({@link Buffers}): a reader that keeps up writes from a large pooled buffer while
 * one is free (few system calls), one that does not ({@link ServletOutputStream#isReady()} false right after a
 * write) from a small one, so ten thousand trickling pulls hold little memory.
 *
 * <p>A pull from a local file whose blob other pulls read at the same time (a herd) writes slices of a mapping that
 * they all share ({@link MappedBlobs}) instead: no read into a buffer, no buffer per client, so every client that
 * keeps up is sent large slices. A client that does not keep up gets slices of about a quarter of a second of its
 * own rate (at least {@value Buffers#SMALL} bytes), and no larger than a client at the minimum response rate takes in
 * half a rate window (with the default 1 KiB/s over 30 s, that is the {@value Buffers#SMALL} bytes), because the
 * minimum-rate watch counts a slice as sent once the container has it.
 */
final class AsyncDownload extends Transfers.Transfer implements WriteListener {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncDownload.class);

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final InputStream in;
    private final FileChannel file;
    private final MethodHandle writeBuffer;
    private long position;
    private final ServletOptions.LimitListener listener;
    private final MappedBlobs.Blob blob;
    private final long length;
    private final long startNanos = System.nanoTime();
    private final int slowSliceCap;
    private long left;
    private final Buffers pool;
    private ByteBuffer buffer;
    /** Bytes read before the first write (see {@link #start}), written first; null once written. */
    private ByteBuffer pending;
    /**
     * Whether the client did not keep up with the last write. A client starts as slow: its first write is small, and
     * one that takes it at once gets large ones from the next on. A large first write to a client that then reads at,
     * say, 4 KiB/s would be counted as sent at once and leave nothing to count for minutes, so the rate watch would
     * cut a client that is well above the minimum rate.
     */
    private boolean slow = true;
    private boolean done;

    private AsyncDownload(AsyncContext async, ServletOutputStream out, InputStream in, FileChannel file,
            MethodHandle writeBuffer, long offset, long length, MappedBlobs.Blob blob, ServletOptions.Limits limits) {
        super(limits.minResponseRate(), limits.rateWindow().toNanos(), 0, "min_response_rate");
        this.async = async;
        this.out = out;
        this.in = in;
        this.file = file;
        this.writeBuffer = writeBuffer;
        this.position = offset;
        this.left = length;
        this.length = length;
        this.blob = blob;
        // A slice still in the container's hands counts as sent: one that a client at the minimum rate would not
        // finish within half a window could get a client that is well above that rate cut (a 1 MiB slice at
        // 20 KiB/s takes 50 s, with nothing counted meanwhile).
        long window = limits.rateWindow().toSeconds();
        this.slowSliceCap = limits.minResponseRate() == 0 ? MAPPED_LARGE
                : (int) Math.max(Buffers.SMALL, Math.min(MAPPED_LARGE, limits.minResponseRate() * window / 2));
        this.pool = file != null ? Buffers.DIRECT : Buffers.HEAP;
        this.listener = limits.listener();
    }

    /**
     * Sends {@code length} bytes of {@code in} as the response body (status and headers already set) and closes
     * {@code in}.
     */
    static void start(Exchange x, InputStream in, long length) throws IOException {
        // The first bytes are read before the answer turns asynchronous: a storage that fails at once (a reader that
        // cannot read) throws here, and the client gets an error status with the spec's body, not a 200 cut short.
        byte[] first = new byte[(int) Math.min(Buffers.SMALL, length)];
        int n = in.read(first);
        if (n < 0) {
            throw new IOException("the blob ended " + length + " bytes early in storage");
        }
        AsyncContext async = x.request.startAsync();
        async.setTimeout(0); // the watch enforces the minimum rate; a plain timeout would cut large pulls
        ServletOutputStream out = x.response.getOutputStream();
        AsyncDownload d = new AsyncDownload(async, out, in, null, null, 0, length, null, x.options.limits());
        d.pending = ByteBuffer.wrap(first, 0, n);
        Transfers.WATCH.add(d);
        out.setWriteListener(d);
    }

    /**
     * Whether the container's output takes {@link ByteBuffer}s (Servlet 6.1's {@code write(ByteBuffer)}, and Jetty's
     * output in Servlet 6.0), so that {@link #startFromFile} can send a file.
     */
    static boolean sendsFiles(Exchange x) throws IOException {
        return BUFFER_WRITE.get(x.response.getOutputStream().getClass()) != null;
    }

    /**
     * As {@link #start(Exchange, InputStream, long)}, from a local file, when the container {@link #sendsFiles sends
     * files}: the bytes go from the file to the socket through direct buffers or shared mappings, never through the
     * Java heap. {@code digest} and {@code size} name the whole blob, so that pulls of it share mappings.
     */
    static void startFromFile(Exchange x, FileChannel file, long offset, long length, String digest, long size)
            throws IOException {
        ServletOutputStream out = x.response.getOutputStream();
        MethodHandle write = BUFFER_WRITE.get(out.getClass());
        if (write == null) {
            throw new IllegalStateException("the container's output takes no ByteBuffer");
        }
        AsyncContext async = x.request.startAsync();
        async.setTimeout(0);
        MappedBlobs.Blob blob = new MappedBlobs.Blob(digest, size);
        AsyncDownload d = new AsyncDownload(async, out, null, file, write, offset, length, blob, x.options.limits());
        Transfers.WATCH.add(d);
        MappedBlobs.SHARED.started(blob);
        out.setWriteListener(d);
    }

    /** The output's {@code write(ByteBuffer)}, where its class has one of its own (not the API's copying default). */
    private static final ClassValue<MethodHandle> BUFFER_WRITE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                Method m = type.getMethod("write", ByteBuffer.class);
                if (m.getDeclaringClass().getName().startsWith("jakarta.servlet.")) {
                    return null;
                }
                return MethodHandles.publicLookup().unreflect(m);
            } catch (NoSuchMethodException | IllegalAccessException | SecurityException e) {
                return null;
            }
        }
    };

    @Override
    public synchronized void onWritePossible() throws IOException {
        int writes = 0;
        while (!done && out.isReady()) {
            // The container is done with the last write: its buffer is ours again.
            if (writes++ > 0) {
                slow = false; // the last write went straight out
            }
            if (left == 0) {
                pool.release(buffer);
                buffer = null;
                end();
                async.complete();
                return;
            }
            int n = pending != null ? writePending() : file != null ? writeFromFile() : writeFromStream();
            left -= n;
            moved(n);
        }
        if (!done) {
            slow = true; // the client did not keep up: the next write goes out in a small buffer
        }
    }

    /** A large buffer for a client that keeps up (while any is left), a small one otherwise. */
    private void chooseBuffer() {
        if (slow) {
            if (buffer != null && buffer.capacity() == Buffers.LARGE) {
                pool.release(buffer);
                buffer = null;
            }
            if (buffer == null) {
                buffer = pool.small();
            }
        } else if (buffer == null || buffer.capacity() != Buffers.LARGE) {
            ByteBuffer large = pool.large();
            if (large != null) {
                pool.release(buffer);
                buffer = large;
            } else if (buffer == null) {
                buffer = pool.small();
            }
        }
        buffer.clear().limit((int) Math.min(buffer.capacity(), left));
    }

    private int writePending() throws IOException {
        int n = pending.remaining();
        out.write(pending.array(), pending.arrayOffset() + pending.position(), n);
        pending = null;
        return n;
    }

    private int writeFromStream() throws IOException {
        if (buffer == null || !buffer.hasRemaining()) {
            chooseBuffer();
            int n = in.read(buffer.array(), 0, buffer.limit());
            if (n < 0) {
                throw new IOException("the blob ended " + left + " bytes early in storage");
            }
            buffer.limit(n);
        }
        int n = partSize();
        out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
        buffer.position(buffer.position() + n);
        return n;
    }

    private int writeFromFile() throws IOException {
        ByteBuffer slice = MappedBlobs.SHARED.slice(blob, file, position, (int) Math.min(mappedWriteSize(), left));
        if (slice != null) {
            pool.release(buffer); // the container is done with it (isReady() was true)
            buffer = null;
            return write(slice);
        }
        // A client that fell behind with parts of a large buffer unsent gets a small one now (chooseBuffer gives the
        // large one back: the container is done with it), and what was left is read again from the file, so that a
        // client that slows down does not keep one of the few large buffers for as long as it takes to drain it.
        if (buffer == null || !buffer.hasRemaining() || slow && buffer.capacity() == Buffers.LARGE) {
            chooseBuffer();
            while (buffer.hasRemaining()) {
                if (file.read(buffer, position + buffer.position()) < 0) {
                    throw new IOException("the blob ended " + left + " bytes early in storage");
                }
            }
            buffer.flip();
        }
        int n = partSize();
        ByteBuffer part = buffer.slice(buffer.position(), n);
        buffer.position(buffer.position() + n);
        return write(part);
    }

    /**
     * How much of the buffer to write next: to a client that keeps up, a quarter of a second of its average rate so
     * far, at least {@value #WRITE_PART} bytes and at most the whole large buffer ({@value Buffers#LARGE}); to one that
     * does not, {@value Buffers#SMALL} bytes. Each part is written once the container is done with the last, and the
     * rate watch counts a part as sent when the container takes it, so a part is what a client that slows down
     * mid-pull can be behind what is counted. Whole 4 MiB writes were 12% faster than 1 MiB ones for a fast reader
     * here, but one still in the container when a client fell to 100 KiB/s (a rollout's shared link) would leave the
     * watch 40 s without a byte, longer than the default 30 s window, and a client a hundred times above the minimum
     * rate would be cut; sized by the client's rate, a 4 MiB part goes only to a client that averaged 16 MiB/s, and
     * takes a fall to below a 120th of that rate to be cut, as a 1 MiB write (the least a fast client gets) does at
     * 34 KiB/s.
     */
    private int partSize() {
        int part = slow ? Buffers.SMALL
                : (int) Math.max(WRITE_PART, Math.min(buffer.capacity(), quarterSecondOfRate()));
        return Math.min(buffer.remaining(), part);
    }

    /** The bytes a quarter of a second of this client's average rate so far (counted over a second at least) takes. */
    private long quarterSecondOfRate() {
        long nanos = Math.max(TimeUnit.SECONDS.toNanos(1), System.nanoTime() - startNanos);
        return (long) ((length - left) * (0.25e9 / nanos));
    }

    /** The least of a large buffer written at once to a client that keeps up. */
    static final int WRITE_PART = 1 << 20;

    private int write(ByteBuffer b) throws IOException {
        int n = b.remaining();
        try {
            writeBuffer.invoke(out, b);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
        position += n;
        return n;
    }

    /** The largest slice of a shared mapping written at once. */
    static final int MAPPED_LARGE = 1 << 20;

    /**
     * How much of a shared mapping to write next: {@value #MAPPED_LARGE} bytes to a client that keeps up (the last
     * write went straight into its socket), a quarter of a second of its average rate so far (counted over one second
     * at least) to one that does not, but no more than a client at the minimum rate takes in half a rate window.
     */
    private int mappedWriteSize() {
        if (!slow) {
            return MAPPED_LARGE;
        }
        return (int) Math.max(Buffers.SMALL, Math.min(slowSliceCap, quarterSecondOfRate()));
    }

    @Override
    public synchronized void onError(Throwable t) {
        if (done) {
            return;
        }
        LOG.debug("blob download ended early: {}", t.toString());
        end();
        async.complete();
    }

    @Override
    synchronized void cut(String limit) {
        if (done) {
            return;
        }
        end();
        listener.limitHit(limit);
        LOG.info("cut off a download slower than the minimum rate ({} bytes left)", left);
        // The body is short of its Content-Length: completing it makes the container close the connection.
        async.complete();
    }

    private void end() {
        done = true;
        pool.discard(buffer); // not pooled: after a failure or a cut, the container may still be writing from it
        buffer = null;
        Transfers.WATCH.remove(this);
        if (blob != null) {
            MappedBlobs.SHARED.ended(blob);
        }
        try {
            (in != null ? in : file).close();
        } catch (IOException e) {
            LOG.debug("closing a blob stream: {}", e.toString());
        }
    }
}
