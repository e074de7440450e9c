package dev.berth.registry.spi.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A driver that forwards every call, {@link #close()} included, to another one: the base of a decorator that changes
 * a few operations (counts them, fails or stalls them on cue in a test, adds metrics) and leaves the rest alone.
 * Override what should differ and call {@code super} for the rest.
 *
 * <p>Every method of {@link StorageDriver} is forwarded, the optional ones too, so a decorator never hides what the
 * driver inside offers (redirects, file channels, rollbacks, a cheaper walk). Thread-safe when the driver inside is.
 */
public class ForwardingStorageDriver implements StorageDriver {
    private final StorageDriver delegate;

    public ForwardingStorageDriver(StorageDriver delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The driver calls are forwarded to. */
    protected final StorageDriver delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        return delegate.getContent(path);
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        delegate.putContent(path, content);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        return delegate.reader(path, offset);
    }

    @Override
    public StorageWriter writer(String path, boolean append) throws IOException {
        return delegate.writer(path, append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        return delegate.stat(path);
    }

    @Override
    public List<String> list(String path) throws IOException {
        return delegate.list(path);
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        delegate.move(sourcePath, destPath);
    }

    @Override
    public void delete(String path) throws IOException {
        delegate.delete(path);
    }

    @Override
    public Optional<URI> redirectUrl(String path, Duration validity) throws IOException {
        return delegate.redirectUrl(path, validity);
    }

    @Override
    public Optional<FileChannel> fileChannel(String path) throws IOException {
        return delegate.fileChannel(path);
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        delegate.walk(path, visitor);
    }

    @Override
    public int purgeIncompleteWrites(String path, Instant startedBefore) throws IOException {
        return delegate.purgeIncompleteWrites(path, startedBefore);
    }

    @Override
    public void checkHealth(boolean writable) throws IOException {
        delegate.checkHealth(writable);
    }

    /** Closes the driver inside: a decorator owns it, as a registry owns the driver it is built with. */
    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
