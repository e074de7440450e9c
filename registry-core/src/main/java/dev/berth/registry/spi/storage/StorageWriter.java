package dev.berth.registry.spi.storage;

import java.io.Closeable;
import java.io.IOException;

/**
 * Appends to one object. The life of a writer ends in exactly one of:
 * <ul>
 *   <li>{@link #close()}: the bytes written so far are kept so that a later {@code writer(path, true)}, in this
 *       process or another, can continue after them (resumable);</li>
 *   <li>{@link #commit()}: the object is complete and durable at its path, then the writer is closed;</li>
 *   <li>{@link #cancel()}: everything written by this and earlier writers of the object is discarded.</li>
 * </ul>
 * Calling {@code close()} after {@code commit()} or {@code cancel()} is harmless; writing after any of them is an
 * {@link IOException}. A writer is used by one thread at a time.
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

    /** Keeps the content for a later appending writer. */
    @Override
    void close() throws IOException;
}
