package dev.berth.registry.storage.inmemory;

import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code inmemory} driver: everything in the heap, gone when the JVM ends. For tests and for embedding a
 * throw-away registry; it holds every blob in memory, so it is no place for big images. Thread-safe: one lock
 * guards the map, and objects are immutable byte arrays replaced whole.
 */
public final class InMemoryStorageDriver implements StorageDriver {
    public static final String NAME = "inmemory";

    private record Entry(byte[] content, Instant modTime) {
    }

    private final NavigableMap<String, Entry> objects = new TreeMap<>();
    private final Clock clock;

    public InMemoryStorageDriver() {
        this(Clock.systemUTC());
    }

    public InMemoryStorageDriver(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized byte[] getContent(String path) throws IOException {
        Entry e = objects.get(path);
        if (e == null) {
            throw new PathNotFoundException(path);
        }
        return e.content.clone();
    }

    @Override
    public synchronized void putContent(String path, byte[] content) throws IOException {
        checkNotUnderObject(path);
        if (isDirectory(path)) {
            throw new IOException("a directory is in the way at " + path);
        }
        objects.put(path, new Entry(content.clone(), clock.instant()));
    }

    @Override
    public synchronized InputStream reader(String path, long offset) throws IOException {
        Entry e = objects.get(path);
        if (e == null) {
            throw new PathNotFoundException(path);
        }
        if (offset < 0 || offset > e.content.length) {
            throw new InvalidOffsetException(path, offset);
        }
        return new ByteArrayInputStream(e.content, (int) offset, e.content.length - (int) offset);
    }

    @Override
    public synchronized StorageWriter writer(String path, boolean append) throws IOException {
        byte[] start;
        if (append) {
            Entry e = objects.get(path);
            if (e == null) {
                throw new PathNotFoundException(path);
            }
            start = e.content;
        } else {
            checkNotUnderObject(path);
            if (isDirectory(path)) {
                throw new IOException("a directory is in the way at " + path);
            }
            start = new byte[0];
            objects.put(path, new Entry(start, clock.instant()));
        }
        return new Writer(path, start);
    }

    @Override
    public synchronized FileInfo stat(String path) throws IOException {
        Entry e = objects.get(path);
        if (e != null) {
            return FileInfo.file(path, e.content.length, e.modTime);
        }
        if (isDirectory(path)) {
            Instant newest = Instant.EPOCH;
            for (Entry child : objects.subMap(prefix(path), true, prefix(path) + Character.MAX_VALUE, false).values()) {
                newest = child.modTime.isAfter(newest) ? child.modTime : newest;
            }
            return FileInfo.directory(path, newest);
        }
        throw new PathNotFoundException(path);
    }

    @Override
    public synchronized List<String> list(String path) throws IOException {
        String prefix = prefix(path);
        Set<String> children = new LinkedHashSet<>();
        for (String key : objects.subMap(prefix, true, prefix + Character.MAX_VALUE, false).keySet()) {
            int slash = key.indexOf('/', prefix.length());
            children.add(slash < 0 ? key : key.substring(0, slash));
        }
        if (children.isEmpty() && !path.equals("/")) {
            throw new PathNotFoundException(path);
        }
        return new ArrayList<>(children);
    }

    @Override
    public synchronized void move(String sourcePath, String destPath) throws IOException {
        Entry e = objects.get(sourcePath);
        if (e == null) {
            throw new PathNotFoundException(sourcePath);
        }
        checkNotUnderObject(destPath);
        if (isDirectory(destPath)) {
            throw new IOException("a directory is in the way at " + destPath);
        }
        objects.remove(sourcePath);
        objects.put(destPath, new Entry(e.content, clock.instant()));
    }

    @Override
    public synchronized void delete(String path) throws IOException {
        boolean found = objects.remove(path) != null;
        Map<String, Entry> under = objects.subMap(prefix(path), true, prefix(path) + Character.MAX_VALUE, false);
        found |= !under.isEmpty();
        under.clear();
        if (!found) {
            throw new PathNotFoundException(path);
        }
    }

    private static String prefix(String dir) {
        return dir.equals("/") ? "/" : dir + "/";
    }

    private boolean isDirectory(String path) {
        String prefix = prefix(path);
        String next = objects.ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }

    /** An object cannot also be a directory: refuse {@code /a/b} when {@code /a} is an object. */
    private void checkNotUnderObject(String path) throws IOException {
        for (String p = StoragePaths.parent(path); !p.equals("/"); p = StoragePaths.parent(p)) {
            if (objects.containsKey(p)) {
                throw new IOException("an object is in the way at " + p);
            }
        }
    }

    private final class Writer implements StorageWriter {
        private final String path;
        private byte[] buffer;
        private int size;
        private boolean closed;

        Writer(String path, byte[] start) {
            this.path = path;
            this.buffer = Arrays.copyOf(start, Math.max(start.length, 64));
            this.size = start.length;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("writer for " + path + " is closed");
            }
            if ((long) size + len > Integer.MAX_VALUE - 8) {
                throw new IOException("the in-memory driver holds at most 2 GiB per object");
            }
            if (size + len > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(size + len, Math.min(Integer.MAX_VALUE - 8, buffer.length * 2)));
            }
            System.arraycopy(b, off, buffer, size, len);
            size += len;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void commit() throws IOException {
            close();
        }

        @Override
        public void cancel() throws IOException {
            if (!closed) {
                closed = true;
                synchronized (InMemoryStorageDriver.this) {
                    objects.remove(path);
                }
            }
        }

        /** The object was left as it was at the open (empty for a new one): nothing to undo but this writer. */
        @Override
        public void rollback() throws IOException {
            if (closed) {
                throw new IOException("writer for " + path + " is closed");
            }
            closed = true;
            buffer = null;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                synchronized (InMemoryStorageDriver.this) {
                    objects.put(path, new Entry(Arrays.copyOf(buffer, size), clock.instant()));
                }
            }
        }
    }

    @Override
    public String toString() {
        return "InMemoryStorageDriver";
    }
}
