package dev.berth.registry.testkit;

import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A driver that counts the calls made to the driver it wraps, by operation ({@code stat}, {@code getContent}, ...),
 * to measure what a cache saves. Closing it closes the driver inside. Thread-safe.
 */
public final class CountingStorageDriver extends ForwardingStorageDriver {
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    public CountingStorageDriver(StorageDriver delegate) {
        super(delegate);
    }

    /** Calls so far, by operation, sorted. */
    public Map<String, Long> calls() {
        Map<String, Long> copy = new TreeMap<>();
        calls.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** All calls so far. */
    public long total() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public void reset() {
        calls.clear();
    }

    private void count(String op) {
        calls.computeIfAbsent(op, k -> new LongAdder()).increment();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        count("getContent");
        return super.getContent(path);
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        count("putContent");
        super.putContent(path, content);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        count("reader");
        return super.reader(path, offset);
    }

    @Override
    public StorageWriter writer(String path, boolean append) throws IOException {
        count("writer");
        return super.writer(path, append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        count("stat");
        return super.stat(path);
    }

    @Override
    public List<String> list(String path) throws IOException {
        count("list");
        return super.list(path);
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        count("move");
        super.move(sourcePath, destPath);
    }

    @Override
    public void delete(String path) throws IOException {
        count("delete");
        super.delete(path);
    }

    @Override
    public Optional<URI> redirectUrl(String path, Duration validity) throws IOException {
        count("redirectUrl");
        return super.redirectUrl(path, validity);
    }

    @Override
    public Optional<FileChannel> fileChannel(String path) throws IOException {
        count("fileChannel");
        return super.fileChannel(path);
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        count("walk");
        super.walk(path, visitor);
    }

    @Override
    public int purgeIncompleteWrites(String path, Instant startedBefore) throws IOException {
        count("purgeIncompleteWrites");
        return super.purgeIncompleteWrites(path, startedBefore);
    }

    @Override
    public void checkHealth(boolean writable) throws IOException {
        count("checkHealth");
        super.checkHealth(writable);
    }
}
