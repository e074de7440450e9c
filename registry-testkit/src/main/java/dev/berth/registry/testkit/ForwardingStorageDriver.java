package dev.berth.registry.testkit;

import dev.berth.registry.spi.storage.StorageDriver;
import java.io.IOException;

/**
 * A driver that forwards every call to another one, for tests that fail, stall or watch one operation by overriding
 * it. Closing it leaves the wrapped driver open.
 */
public class ForwardingStorageDriver implements StorageDriver {
    protected final StorageDriver d;

    public ForwardingStorageDriver(StorageDriver d) {
        this.d = d;
    }

    @Override
    public String name() {
        return d.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return d.getContent(path);
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        d.putContent(path, content);
    }

    @Override
    public java.io.InputStream reader(String path, long offset) throws IOException {
        return d.reader(path, offset);
    }

    @Override
    public dev.berth.registry.spi.storage.StorageWriter writer(String path, boolean append) throws IOException {
        return d.writer(path, append);
    }

    @Override
    public dev.berth.registry.spi.storage.FileInfo stat(String path) throws IOException {
        return d.stat(path);
    }

    @Override
    public java.util.List<String> list(String path) throws IOException {
        return d.list(path);
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        d.move(sourcePath, destPath);
    }

    @Override
    public void delete(String path) throws IOException {
        d.delete(path);
    }

    @Override
    public java.util.Optional<java.net.URI> redirectUrl(String path, java.time.Duration validity) throws IOException {
        return d.redirectUrl(path, validity);
    }

    @Override
    public java.util.Optional<java.nio.channels.FileChannel> fileChannel(String path) throws IOException {
        return d.fileChannel(path);
    }

    @Override
    public int purgeIncompleteWrites(String path, java.time.Instant startedBefore) throws IOException {
        return d.purgeIncompleteWrites(path, startedBefore);
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        d.walk(path, visitor);
    }

    @Override
    public void checkHealth(boolean writable) throws IOException {
        d.checkHealth(writable);
    }

    /** Leaves the wrapped driver open: whoever made it closes it. */
    @Override
    public void close() {
    }
}
