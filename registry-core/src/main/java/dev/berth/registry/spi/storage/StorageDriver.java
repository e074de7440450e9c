package dev.berth.registry.spi.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A flat store of opaque objects at slash-separated paths, which is all a registry needs of its storage. Drivers are
 * kept dumb: the core owns the layout, links, digests and garbage collection; a driver only moves bytes.
 *
 * <p><b>Paths</b> are absolute ({@code /docker/registry/v2/...}), made of components matching
 * {@code [A-Za-z0-9._-]+} other than {@code .} and {@code ..}, at most {@link #MAX_PATH_LENGTH} characters in all.
 * The core validates every path before a driver sees it, so a driver may trust them. "Directories" are implicit: a path is a directory while some object lies under it.
 *
 * <p><b>Errors:</b> a missing path is {@link PathNotFoundException}; every other failure is an {@link IOException}.
 * The core wraps all of them so that the driver's name appears in the message.
 *
 * <p><b>Thread safety:</b> implementations must be safe for use by many threads at once. Concurrent writers to the
 * same path are not coordinated by the driver (the core never does that for visible content); the result of such
 * races is whichever write completed last, but never a mix of two.
 */
public interface StorageDriver extends AutoCloseable {

    /** The longest path the core passes to a driver; a longer one is refused before any driver sees it. */
    int MAX_PATH_LENGTH = 4096;

    /** The short name the driver is configured by ({@code filesystem}, {@code s3}, ...). */
    String name();

    /** The whole content of a small object. */
    byte[] getContent(String path) throws IOException;

    /**
     * Stores a whole small object, replacing any previous one atomically: a reader sees the old content or the new,
     * never a part. The content is durable when this returns.
     */
    void putContent(String path, byte[] content) throws IOException;

    /**
     * A stream of the object's bytes from {@code offset}. An offset equal to the size gives an empty stream; one past
     * it is an {@link IOException} ({@link InvalidOffsetException}).
     */
    InputStream reader(String path, long offset) throws IOException;

    /**
     * A writer for the object at {@code path}. With {@code append} false any existing content is discarded; with
     * {@code append} true the writer continues after content that an earlier writer closed (not committed), possibly
     * in another process, and {@link PathNotFoundException} is thrown when there is none.
     *
     * <p>Whether bytes written are visible to {@link #reader} before {@link StorageWriter#commit()} is undefined.
     */
    StorageWriter writer(String path, boolean append) throws IOException;

    /** Size and kind of what is at {@code path}. */
    FileInfo stat(String path) throws IOException;

    /**
     * The direct children of a directory, as full paths, in no particular order. A path that holds nothing is
     * {@link PathNotFoundException}. Listing {@code /} of an empty store gives an empty list.
     */
    List<String> list(String path) throws IOException;

    /**
     * Moves an object, replacing whatever is at {@code destPath}, atomically where the storage allows it. Moving
     * something that does not exist is {@link PathNotFoundException}.
     */
    void move(String sourcePath, String destPath) throws IOException;

    /** Deletes the object or the whole directory at {@code path}, and nothing else. */
    void delete(String path) throws IOException;

    /**
     * A URL a client can fetch the object from directly, valid for about {@code validity}, or empty when the storage
     * has no such thing (the default). Optional: drivers that cannot redirect keep the default.
     */
    default Optional<URI> redirectUrl(String path, Duration validity) throws IOException {
        return Optional.empty();
    }

    /**
     * The object as an open channel on a local file, when the storage is a local filesystem; empty (the default)
     * otherwise. The HTTP layer sends a blob from it without copying its bytes through the JVM (mapped buffers or
     * {@code sendfile}). Read it with positional reads or {@link FileChannel#map}; the caller closes it. Optional:
     * only drivers over local files offer it, and it must see exactly the bytes {@link #reader} would.
     */
    default Optional<FileChannel> fileChannel(String path) throws IOException {
        return Optional.empty();
    }

    /**
     * Visits every object (not directory) under {@code path}, depth first, in no particular order. The default
     * implementation walks with {@link #list} and {@link #stat}; drivers with a cheaper way override it.
     */
    default void walk(String path, WalkVisitor visitor) throws IOException {
        for (String child : list(path)) {
            FileInfo info;
            try {
                info = stat(child);
            } catch (PathNotFoundException gone) {
                continue; // deleted while we walked
            }
            if (info.isDirectory()) {
                try {
                    walk(child, visitor);
                } catch (PathNotFoundException gone) {
                    // deleted while we walked
                }
            } else {
                visitor.visit(info);
            }
        }
    }

    /**
     * Releases what storage keeps, below {@code path}, of {@linkplain #writer writers} that were opened before
     * {@code startedBefore} and never committed, cancelled or closed (their process died): on S3, incomplete
     * multipart uploads, which no listing shows and which are billed until aborted. Only such hidden leftovers go;
     * objects that {@link #list} or {@link #walk} can see are untouched, and so is what a writer opened after
     * {@code startedBefore} holds, so a caller passes an instant old enough for no live writer to be that old.
     * Drivers that write whole objects to a hidden temporary object first (a filesystem: a temporary file beside the
     * target, renamed over it) release such temporaries last written before {@code startedBefore} too: a process
     * killed between the write and the rename leaves them. Returns how many leftovers were released. Optional: the
     * default, for storage that keeps nothing of an unfinished write (memory), does nothing and returns 0. A path
     * that holds nothing is not an error.
     */
    default int purgeIncompleteWrites(String path, Instant startedBefore) throws IOException {
        return 0;
    }

    /**
     * Proves that the storage answers now, for a health check: a real round trip to where the objects live (never an
     * answer made up locally), bounded in time by the driver so that a storage that hangs makes this fail rather than
     * wait (a few seconds at most). Returns when healthy; throws an {@link IOException} saying what is wrong. An empty
     * store is healthy. With {@code writable}, also proves that the storage takes writes where the driver can do that
     * cheaply (a read-only registry passes false: its storage may well be mounted read-only). Whatever the check
     * writes is gone when it returns, and was never visible to {@link #list} or {@link #walk}.
     *
     * <p>Callers poll this (a load balancer every few seconds), so it should cost one or two requests. The default
     * {@code stat}s and lists the root: a round trip for drivers whose listing goes to the storage; a driver that
     * answers those locally, or that can hang, overrides it.
     */
    default void checkHealth(boolean writable) throws IOException {
        try {
            if (!stat("/").isDirectory()) {
                // Every path lies below the root, so nothing can be read or written: a folder replaced by a file, say.
                throw new IOException("the storage root is an object, not a directory");
            }
        } catch (PathNotFoundException empty) {
            // a store nothing was written to yet
        }
        try {
            list("/");
        } catch (PathNotFoundException empty) {
            // the storage answered
        }
    }

    /** Releases what the driver holds (connections, thread pools). The default does nothing. */
    @Override
    default void close() throws IOException {
    }

    /** Receives the objects {@link #walk} finds. */
    @FunctionalInterface
    interface WalkVisitor {
        void visit(FileInfo file) throws IOException;
    }
}
