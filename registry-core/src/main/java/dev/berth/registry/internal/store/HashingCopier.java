package dev.berth.registry.internal.store;

import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies a client's stream into a storage writer while a second thread hashes the same bytes, so that an upload
 * costs the slower of hashing and writing rather than their sum. A few small buffers circulate between the two:
 * memory per upload is bounded ({@value #BUFFERS} x {@value #BUFFER_SIZE} bytes), whatever the blob's size.
 */
public final class HashingCopier {
    static final int BUFFERS = 4;
    static final int BUFFER_SIZE = 256 << 10;

    private static final ExecutorService HASHERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "berth-digest");
        t.setDaemon(true);
        return t;
    });

    private HashingCopier() {
    }

    /** Thrown for a failure of the storage writer, to tell it apart from a failure of the client's stream. */
    public static final class WriteFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        WriteFailedException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private static final class Chunk {
        final byte[] bytes = new byte[BUFFER_SIZE];
        int length;
    }

    private static final Chunk END = new Chunk();

    /**
     * Copies all of {@code in} to {@code writer}, feeding the bytes to {@code state} in order. On any failure the
     * state has seen a prefix of what was written, or more: the caller must forget it.
     *
     * @throws WriteFailedException when the writer fails
     * @throws IOException          when the client's stream fails
     */
    public static void copy(InputStream in, StorageWriter writer, RunningHashes.State state) throws IOException {
        BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(BUFFERS);
        BlockingQueue<Chunk> toHash = new ArrayBlockingQueue<>(BUFFERS + 1);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new Chunk());
        }
        Future<?> hasher = HASHERS.submit(() -> {
            while (true) {
                Chunk c = toHash.take();
                if (c == END) {
                    return null;
                }
                state.update(c.bytes, 0, c.length);
                free.put(c);
            }
        });
        boolean finished = false;
        try {
            IOException clientFailure = null;
            while (clientFailure == null) {
                Chunk c = free.take();
                int n = 0;
                try {
                    while (n < c.bytes.length) {
                        int r = in.read(c.bytes, n, c.bytes.length - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                } catch (IOException e) {
                    clientFailure = e; // keep what did arrive: the client may resume after it
                }
                if (n == 0) {
                    break;
                }
                c.length = n;
                try {
                    writer.write(c.bytes, 0, n);
                } catch (IOException e) {
                    throw new WriteFailedException(e);
                }
                toHash.put(c);
                if (n < c.bytes.length && clientFailure == null) {
                    break; // end of stream
                }
            }
            if (clientFailure != null) {
                throw clientFailure;
            }
            toHash.put(END);
            hasher.get();
            finished = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying an upload", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing failed", e.getCause());
        } finally {
            if (!finished) {
                hasher.cancel(true);
            }
        }
    }
}
