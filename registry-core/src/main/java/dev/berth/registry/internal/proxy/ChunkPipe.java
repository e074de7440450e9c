package dev.berth.registry.internal.proxy;

import dev.berth.registry.diagnostics.Failures;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands the bytes a fetch stores on to the client that asked for them, through a bounded queue of chunks. The fetch
 * never depends on the client: when the client goes away or stops reading for {@link #STALL_SECONDS}, it is
 * detached and the fetch goes on into storage alone. The end of the stream is signalled only once the blob is
 * verified and stored; a failed fetch ends the client's stream with an IOException.
 */
final class ChunkPipe {
    static final int STALL_SECONDS = 30;
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(32);
    private volatile boolean detached;

    /** A copy of what the fetch just read. */
    void write(byte[] b, int off, int len) {
        if (detached || len <= 0) {
            return;
        }
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        offer(copy);
    }

    void finish() {
        offer(END);
    }

    void fail(Throwable cause) {
        offer(cause);
    }

    private void offer(Object item) {
        if (detached) {
            return;
        }
        try {
            if (!queue.offer(item, STALL_SECONDS, TimeUnit.SECONDS)) {
                detach();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            detach();
        }
    }

    private void detach() {
        detached = true;
        queue.clear();
    }

    InputStream reader() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (pos == current.length) {
                    if (ended) {
                        return -1;
                    }
                    if (detached) {
                        throw new IOException("the upstream fetch left this reader behind");
                    }
                    Object next;
                    try {
                        next = queue.poll(STALL_SECONDS * 4L, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted waiting for the upstream", e);
                    }
                    if (next == null) {
                        throw new IOException("the upstream sent nothing for " + STALL_SECONDS * 4 + " s");
                    }
                    if (next == END) {
                        ended = true;
                    } else if (next instanceof Throwable t) {
                        ended = true;
                        throw new IOException("fetching from the upstream failed: " + Failures.describe(t), t);
                    } else {
                        current = (byte[]) next;
                        pos = 0;
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() {
                detach();
            }
        };
    }

    /** Reads from {@code in} and copies what it reads into this pipe. */
    InputStream tee(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    write(b, off, n);
                }
                return n;
            }
        };
    }
}
