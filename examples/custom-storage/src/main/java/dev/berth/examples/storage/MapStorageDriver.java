package dev.berth.examples.storage;

import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code map} driver, written as a third party would write one: every object is a byte array in a
 * {@link ConcurrentHashMap} keyed by its path, with an optional cap on the size of one object (a throw-away registry
 * for CI that must not swallow the heap). Directories are not stored; a path is a directory while some key starts
 * with it and a slash, so {@code list} and {@code delete} scan the keys: fine for a test registry, not for millions
 * of objects.
 *
 * <p>Thread-safe: values are never changed, only replaced whole, so a reader sees the old or the new content.
 */
public final class MapStorageDriver implements StorageDriver {
    public static final String NAME = "map";

    private record Stored(byte[] bytes, Instant written) {
    }

    private final ConcurrentHashMap<String, Stored> objects = new ConcurrentHashMap<>();
    private final long maxObjectSize;

    /** A driver that refuses objects larger than {@code maxObjectSize} bytes. */
    public MapStorageDriver(long maxObjectSize) {
        if (maxObjectSize < 0) {
            throw new IllegalArgumentException("maxObjectSize must not be negative: " + maxObjectSize);
        }
        this.maxObjectSize = Math.min(maxObjectSize, Integer.MAX_VALUE - 8);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return find(path).bytes().clone();
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        checkSize(path, content.length);
        store(path, content.clone());
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        byte[] bytes = find(path).bytes();
        if (offset < 0 || offset > bytes.length) {
            throw new InvalidOffsetException(path, offset);
        }
        return new ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset);
    }

    @Override
    public StorageWriter writer(String path, boolean append) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        if (append) {
            Stored kept = objects.get(path);
            if (kept == null) {
                throw new PathNotFoundException(path, "no content to append to");
            }
            buffer.writeBytes(kept.bytes());
        }
        return new StorageWriter() {
            private boolean done;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (done) {
                    throw new IOException("the writer for " + path + " is closed");
                }
                checkSize(path, (long) buffer.size() + len);
                buffer.write(b, off, len);
            }

            @Override
            public long size() {
                return buffer.size();
            }

            @Override
            public void commit() throws IOException {
                close();
            }

            @Override
            public void cancel() {
                if (!done) {
                    done = true;
                    objects.remove(path);
                }
            }

            @Override
            public void close() throws IOException {
                if (!done) {
                    done = true;
                    store(path, buffer.toByteArray()); // kept for a later append, visible at once: the SPI allows it
                }
            }
        };
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        Stored s = objects.get(path);
        if (s != null) {
            return FileInfo.file(path, s.bytes().length, s.written());
        }
        Instant newest = null;
        for (var e : objects.entrySet()) {
            if (isUnder(e.getKey(), path) && (newest == null || e.getValue().written().isAfter(newest))) {
                newest = e.getValue().written();
            }
        }
        if (newest == null) {
            throw new PathNotFoundException(path);
        }
        return FileInfo.directory(path, newest);
    }

    @Override
    public List<String> list(String path) throws IOException {
        String prefix = path.equals("/") ? "/" : path + "/";
        Set<String> children = new LinkedHashSet<>();
        for (String key : objects.keySet()) {
            if (key.startsWith(prefix)) {
                int slash = key.indexOf('/', prefix.length());
                children.add(slash < 0 ? key : key.substring(0, slash));
            }
        }
        if (children.isEmpty() && !path.equals("/")) {
            throw new PathNotFoundException(path);
        }
        return new ArrayList<>(children);
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        Stored s = objects.get(sourcePath);
        if (s == null) {
            throw new PathNotFoundException(sourcePath);
        }
        if (sourcePath.equals(destPath)) {
            return;
        }
        store(destPath, s.bytes());
        objects.remove(sourcePath, s);
    }

    @Override
    public void delete(String path) throws IOException {
        if (!objects.keySet().removeIf(key -> key.equals(path) || isUnder(key, path))) {
            throw new PathNotFoundException(path);
        }
    }

    private Stored find(String path) throws IOException {
        Stored s = objects.get(path);
        if (s != null) {
            return s;
        }
        throw isDirectory(path) ? new IOException(path + " is a directory") : new PathNotFoundException(path);
    }

    /** Puts an object where no object is an ancestor and no directory is in the way, as a file system would. */
    private void store(String path, byte[] bytes) throws IOException {
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
            if (objects.containsKey(path.substring(0, slash))) {
                throw new IOException("an object is in the way of " + path + " at " + path.substring(0, slash));
            }
        }
        if (isDirectory(path)) {
            throw new IOException("a directory is in the way at " + path);
        }
        objects.put(path, new Stored(bytes, Instant.now()));
    }

    private boolean isDirectory(String path) {
        return path.equals("/") || objects.keySet().stream().anyMatch(key -> isUnder(key, path));
    }

    private static boolean isUnder(String key, String dir) {
        return key.startsWith(dir.equals("/") ? "/" : dir + "/");
    }

    private void checkSize(String path, long size) throws IOException {
        if (size > maxObjectSize) {
            throw new IOException("the map driver keeps objects of at most " + maxObjectSize + " bytes; " + path
                    + " would have " + size);
        }
    }
}
