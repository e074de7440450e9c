package dev.berth.registry.internal.storage;

import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageDriverException;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.FilterInputStream;
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
 * The one wrapper the core puts around every driver, whatever its origin: it validates every path before the driver
 * sees it and makes every failure name the driver, so that a driver author writes only the raw I/O.
 */
public final class CheckedStorageDriver implements StorageDriver {
    private final StorageDriver driver;
    private final String name;

    private CheckedStorageDriver(StorageDriver driver) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.name = Objects.requireNonNull(driver.name(), "driver name");
    }

    /** Wraps {@code driver} unless it is wrapped already. */
    public static StorageDriver wrap(StorageDriver driver) {
        return driver instanceof CheckedStorageDriver ? driver : new CheckedStorageDriver(driver);
    }

    /** The driver inside. */
    public StorageDriver unwrap() {
        return driver;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        StoragePaths.check(path);
        try {
            return driver.getContent(path);
        } catch (IOException | RuntimeException e) {
            throw translate("getContent", path, e);
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        StoragePaths.check(path);
        Objects.requireNonNull(content, "content");
        try {
            driver.putContent(path, content);
        } catch (IOException | RuntimeException e) {
            throw translate("putContent", path, e);
        }
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        StoragePaths.check(path);
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        try {
            return new Reader(driver.reader(path, offset), path);
        } catch (IOException | RuntimeException e) {
            throw translate("reader", path, e);
        }
    }

    @Override
    public StorageWriter writer(String path, boolean append) throws IOException {
        StoragePaths.check(path);
        try {
            return new Writer(driver.writer(path, append), path);
        } catch (IOException | RuntimeException e) {
            throw translate("writer", path, e);
        }
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        StoragePaths.check(path);
        try {
            return driver.stat(path);
        } catch (IOException | RuntimeException e) {
            throw translate("stat", path, e);
        }
    }

    @Override
    public List<String> list(String path) throws IOException {
        StoragePaths.check(path);
        try {
            return driver.list(path);
        } catch (IOException | RuntimeException e) {
            throw translate("list", path, e);
        }
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        StoragePaths.check(sourcePath);
        StoragePaths.check(destPath);
        try {
            driver.move(sourcePath, destPath);
        } catch (IOException | RuntimeException e) {
            throw translate("move to " + destPath, sourcePath, e);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        StoragePaths.check(path);
        if (path.equals("/")) {
            throw new InvalidPathException(path, "refusing to delete the root of the store");
        }
        try {
            driver.delete(path);
        } catch (IOException | RuntimeException e) {
            throw translate("delete", path, e);
        }
    }

    @Override
    public Optional<URI> redirectUrl(String path, Duration validity) throws IOException {
        StoragePaths.check(path);
        try {
            return driver.redirectUrl(path, validity);
        } catch (IOException | RuntimeException e) {
            throw translate("redirectUrl", path, e);
        }
    }

    @Override
    public Optional<FileChannel> fileChannel(String path) throws IOException {
        StoragePaths.check(path);
        try {
            return driver.fileChannel(path);
        } catch (IOException | RuntimeException e) {
            throw translate("fileChannel", path, e);
        }
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        StoragePaths.check(path);
        try {
            driver.walk(path, visitor);
        } catch (IOException | RuntimeException e) {
            throw translate("walk", path, e);
        }
    }

    @Override
    public int purgeIncompleteWrites(String path, Instant startedBefore) throws IOException {
        StoragePaths.check(path);
        Objects.requireNonNull(startedBefore, "startedBefore");
        try {
            return driver.purgeIncompleteWrites(path, startedBefore);
        } catch (PathNotFoundException e) {
            return 0; // nothing there, so nothing left over
        } catch (IOException | RuntimeException e) {
            throw translate("purgeIncompleteWrites", path, e);
        }
    }

    @Override
    public void checkHealth(boolean writable) throws IOException {
        try {
            driver.checkHealth(writable);
        } catch (IOException | RuntimeException e) {
            throw translate("checkHealth", "/", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.close();
        } catch (IOException | RuntimeException e) {
            throw translate("close", "/", e);
        }
    }

    /**
     * Keeps the exceptions callers catch precisely (not found, bad offset, bad path) as they are, with the driver's
     * name added, and turns everything else into a {@link StorageDriverException}.
     */
    private IOException translate(String operation, String path, Exception e) {
        if (e instanceof PathNotFoundException p) {
            PathNotFoundException named = new PathNotFoundException(p.path(), name + ": not found");
            named.initCause(e);
            return named;
        }
        if (e instanceof InvalidOffsetException || e instanceof InvalidPathException
                || e instanceof StorageDriverException) {
            return (IOException) e;
        }
        return new StorageDriverException(name, operation + " " + path + ": " + e, e);
    }

    private final class Reader extends FilterInputStream {
        private final String path;

        Reader(InputStream in, String path) {
            super(in);
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw translate("read", path, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw translate("read", path, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException | RuntimeException e) {
                throw translate("read", path, e);
            }
        }
    }

    private final class Writer implements StorageWriter {
        private final StorageWriter writer;
        private final String path;

        Writer(StorageWriter writer, String path) {
            this.writer = writer;
            this.path = path;
        }

        @Override
        public void write(byte[] buffer, int offset, int len) throws IOException {
            Objects.checkFromIndexSize(offset, len, buffer.length);
            try {
                writer.write(buffer, offset, len);
            } catch (IOException | RuntimeException e) {
                throw translate("write", path, e);
            }
        }

        @Override
        public long size() {
            return writer.size();
        }

        @Override
        public void commit() throws IOException {
            try {
                writer.commit();
            } catch (IOException | RuntimeException e) {
                throw translate("commit", path, e);
            }
        }

        @Override
        public void cancel() throws IOException {
            try {
                writer.cancel();
            } catch (IOException | RuntimeException e) {
                throw translate("cancel", path, e);
            }
        }

        @Override
        public void rollback() throws IOException {
            try {
                writer.rollback();
            } catch (UnsupportedOperationException optional) {
                throw optional; // the driver does not offer it: the caller falls back, as the contract says
            } catch (IOException | RuntimeException e) {
                throw translate("rollback", path, e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                throw translate("close", path, e);
            }
        }
    }

    @Override
    public String toString() {
        return "CheckedStorageDriver[" + name + "]";
    }
}
