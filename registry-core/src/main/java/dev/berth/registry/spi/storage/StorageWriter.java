package dev.berth.registry.spi.storage;

import java.io.Closeable;
import java.io.IOException;

/**
 * Appends to one object. The life of a writer ends in exactly one of:
 * <ul>
 *   <li>{@link #close()}: the bytes written so far are kept so that a later {@code writer(path, true)}, in this
 *       process or another, can continue after them (resumable);</li>
 *   <li>{@link #commit()}: the object is complete and durable at its path, then the writer is closed;</li>
 *   <li>{@link #cancel()}: everything written by this and earlier writers of the object is discarded;</li>
 *   <li>{@link #rollback()} (optional): what this writer wrote is discarded, what earlier writers kept stays.</li>
 * </ul>
 * Calling {@code close()} after {@code commit()}, {@code cancel()} or {@code rollback()} is harmless; writing after
 * any of them is an {@link IOException}. A writer is used by one thread at a time.
 */
public interface StorageWriter extends Closeable {

    /** Appends {@code len} bytes of {@code buffer} from {@code offset}. */
    void write(byte[] buffer, int offset, int len) throws IOException;

    /** The size of the object including everything written through this writer. */
    long size();

    /** Makes the content durable and visible at the path, then closes. */
    void commit() throws IOException;

    /** Discards the content, then closes. */
    void cancel() throws IOException;

    /**
     * Discards the bytes written through this writer, then closes: the object holds exactly what it held when the
     * writer was opened with {@code append}, or nothing (an empty object) when it was opened without. The registry
     * uses it to refuse an upload's chunk that turned out wrong after part of it was written, leaving the upload as
     * it was before the chunk.
     *
     * <p>Optional: the default throws {@link UnsupportedOperationException} and leaves the writer open and untouched,
     * and the registry then discards the whole upload instead (the client starts it again). A driver offers it when
     * its storage can: a file is truncated to its size at the open, an unfinished multipart upload is aborted.
     */
    default void rollback() throws IOException {
        throw new UnsupportedOperationException("this storage driver cannot roll back a writer");
    }

    /** Keeps the content for a later appending writer. */
    @Override
    void close() throws IOException;
}
