package dev.berth.registry.storage.fs;

import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code filesystem} driver: storage path {@code /a/b} is the file {@code <rootdirectory>/a/b}, exactly as in
 * CNCF distribution, so an existing {@code registry:2} folder is served as it is.
 *
 * <p>Whole objects are written to a temporary file beside the target, fsynced, and renamed over it atomically, so a
 * reader sees the old or the new content and never a part. Appendable writers write in place (an upload's data file,
 * which nobody reads as a blob) and fsync on commit; while a big upload streams, the driver asks the kernel to write
 * back what it has every {@value #BACKGROUND_SYNC_BYTES} bytes, on a background thread, so that the durable commit at
 * the end does not wait for a whole blob to reach the disk.
 *
 * <p>Deleting removes the emptied parent folders up to the root, so that listing never shows a folder that holds
 * nothing (the in-memory and object-store drivers behave the same way). Paths are resolved under the root and checked
 * to stay there; symbolic links inside the root are followed (an administrator's choice, as with distribution).
 * Thread-safe.
 */
public final class FilesystemStorageDriver implements StorageDriver {
    public static final String NAME = "filesystem";

    /** Temporary files of {@link #putContent}; never listed, never a registry path (registry names cannot start so). */
    static final String TEMP_PREFIX = ".berth-tmp-";
    static final long BACKGROUND_SYNC_BYTES = 16L << 20;
    /** A closing writer that leaves at least this much unsynced hands the write-back to the background. */
    static final long BACKGROUND_SYNC_MIN_BYTES = 1L << 20;
    private static final int SMALL_WRITE = 16 << 10;

    private final Path root;
    /** Background write-backs that failed, by file, until the file's commit (or cancel) reports them. */
    private final ConcurrentHashMap<Path, IOException> syncFailures =
            new ConcurrentHashMap<>();
    private static final Logger LOG = LoggerFactory.getLogger(FilesystemStorageDriver.class);
    /**
     * Directories already found to resolve inside the root (real directories, not links), so that the confinement
     * check of a path below them costs one lstat. Bounded; cleared when full.
     */
    private final ConcurrentHashMap<Path, Boolean> confinedDirectories =
            new ConcurrentHashMap<>();
    private static final int CONFINED_CACHE_SIZE = 100_000;
    /** Bounds the files held open by background write-backs. */
    private final Semaphore backgroundCloses = new Semaphore(8);
    private final ExecutorService syncer = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "berth-fs-sync");
        t.setDaemon(true);
        return t;
    });

    public FilesystemStorageDriver(Path rootDirectory) throws IOException {
        Path absolute = rootDirectory.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        this.root = absolute.toRealPath(); // so that confinement compares real paths with a real path
    }

    public Path root() {
        return root;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        Path file = resolve(path);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw Files.isDirectory(file) ? new PathNotFoundException(path, "is a directory") : notFoundOr(e, path);
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        Path target = resolve(path);
        retryingOnVanishedParent(target, () -> {
            Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(content);
                    while (buffer.hasRemaining()) {
                        ch.write(buffer);
                    }
                    ch.force(false);
                }
                moveAtomically(temp, target);
            } finally {
                Files.deleteIfExists(temp);
            }
            syncDirectory(target.getParent());
        });
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        FileChannel ch = openForReading(path);
        try {
            if (offset < 0 || offset > ch.size()) {
                throw new InvalidOffsetException(path, offset);
            }
            ch.position(offset);
            return Channels.newInputStream(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public Optional<FileChannel> fileChannel(String path) throws IOException {
        return Optional.of(openForReading(path));
    }

    /** The file at {@code path}, open for reading; not found when it is missing or a directory. */
    private FileChannel openForReading(String path) throws IOException {
        Path file = resolve(path);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw notFoundOr(e, path);
        }
        if (Files.isDirectory(file)) {
            ch.close();
            throw new PathNotFoundException(path, "is a directory");
        }
        return ch;
    }

    @Override
    public StorageWriter writer(String path, boolean append) throws IOException {
        Path file = resolve(path);
        if (append) {
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
                ch.position(ch.size());
                return new Writer(path, file, ch);
            } catch (IOException e) {
                throw notFoundOr(e, path);
            }
        }
        FileChannel[] opened = new FileChannel[1];
        retryingOnVanishedParent(file, () -> opened[0] = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        return new Writer(path, file, opened[0]);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        Path file = resolve(path);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw notFoundOr(e, path);
        }
        return attrs.isDirectory() ? FileInfo.directory(path, attrs.lastModifiedTime().toInstant())
                : FileInfo.file(path, attrs.size(), attrs.lastModifiedTime().toInstant());
    }

    @Override
    public List<String> list(String path) throws IOException {
        Path dir = resolve(path);
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path child : entries) {
                String name = child.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX)) {
                    children.add(path.equals("/") ? "/" + name : path + "/" + name);
                }
            }
        } catch (NotDirectoryException e) {
            throw new PathNotFoundException(path);
        } catch (IOException e) {
            throw notFoundOr(e, path);
        }
        return children;
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        Path source = resolve(sourcePath);
        Path dest = resolve(destPath);
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathNotFoundException(sourcePath);
        }
        if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot move " + sourcePath + " over the directory " + destPath);
        }
        try {
            retryingOnVanishedParent(dest, () -> moveAtomically(source, dest));
        } catch (NoSuchFileException e) {
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new PathNotFoundException(sourcePath);
            }
            throw e;
        }
        syncDirectory(dest.getParent());
        pruneEmptyParents(source.getParent());
    }

    @Override
    public void delete(String path) throws IOException {
        Path target = resolve(path);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathNotFoundException(path);
        }
        try {
            Files.walkFileTree(target, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // deleted by someone else meanwhile: the goal is reached
        }
        pruneEmptyParents(target.getParent());
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir)) {
            throw new PathNotFoundException(path);
        }
        String prefix = path.equals("/") ? "" : path;
        List<FileInfo> found = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    String storagePath = prefix + "/" + dir.relativize(file).toString().replace('\\', '/');
                    found.add(FileInfo.file(storagePath, attrs.size(), attrs.lastModifiedTime().toInstant()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // deleted while we walked
                }
                throw e;
            }
        });
        for (FileInfo f : found) {
            visitor.visit(f);
        }
    }

    /**
     * That the root is a directory this process can read and, with {@code writable}, write, for real: its attributes
     * and one entry of it are read, and a temporary file is created, synced and deleted in it (a full disk out of
     * inodes, a filesystem remounted read-only after an error, a volume that vanished from under the folder all show).
     * The probe file has the temporary prefix, so it is never listed, and purging removes it if the process dies
     * between creating and deleting it.
     */
    @Override
    public void checkHealth(boolean writable) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(root, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new IOException("the root directory " + root + " does not exist (was its volume unmounted?)", e);
        }
        if (!attrs.isDirectory()) {
            throw new IOException("the root directory " + root + " is not a directory");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            entries.iterator().hasNext();
        }
        if (writable) {
            Path probe = root.resolve(TEMP_PREFIX + "health-" + UUID.randomUUID());
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {1}));
                ch.force(false);
            } finally {
                Files.deleteIfExists(probe);
            }
        }
    }

    /**
     * Deletes the temporary files ({@value #TEMP_PREFIX}...) below {@code path} last written before
     * {@code startedBefore}: what a process killed while writing a whole object ({@link #putContent}: a manifest, a
     * link) or probing the root's health left beside the target, which nothing lists and nothing else removes. A
     * temporary file of a live write is younger than any sane cutoff (it lives for the time of one write and fsync),
     * so the age rule spares it, as it spares a live upload. Folders the deleted files leave empty go too.
     */
    @Override
    public int purgeIncompleteWrites(String path, Instant startedBefore) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir)) {
            throw new PathNotFoundException(path);
        }
        List<Path> stale = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && file.getFileName().toString().startsWith(TEMP_PREFIX)
                        && attrs.lastModifiedTime().toInstant().isBefore(startedBefore)) {
                    stale.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // deleted while we walked
                }
                throw e;
            }
        });
        int deleted = 0;
        for (Path file : stale) {
            if (Files.deleteIfExists(file)) {
                deleted++;
                pruneEmptyParents(file.getParent());
            }
        }
        if (deleted > 0) {
            LOG.info("deleted {} temporary file(s) of unfinished writes under {} last written before {}", deleted,
                    path, startedBefore);
        }
        return deleted;
    }

    @Override
    public void close() {
        syncer.shutdown();
    }

    /** The file of a storage path; the core has validated the path, and this checks once more that it stays inside. */
    private Path resolve(String path) throws IOException {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidPathException(String.valueOf(path), "not absolute");
        }
        Path resolved = path.equals("/") ? root : root.resolve(path.substring(1)).normalize();
        if (!resolved.startsWith(root)) {
            throw new InvalidPathException(path, "resolves outside the root directory");
        }
        checkConfined(resolved, path);
        return resolved;
    }

    /**
     * Refuses a path whose nearest existing ancestor (or itself) lies, once symbolic links are followed, outside the
     * root: a link planted in the store must not lead reads or writes elsewhere. Links that stay inside are followed.
     */
    private void checkConfined(Path file, String path) throws IOException {
        Path parent = file.getParent();
        if (parent != null && confinedDirectories.containsKey(parent)) {
            if (!Files.isSymbolicLink(file)) {
                return; // the common case: one lstat instead of a realpath walk
            }
        }
        checkConfinedFully(file, path);
        if (parent != null && Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            if (confinedDirectories.size() >= CONFINED_CACHE_SIZE) {
                confinedDirectories.clear();
            }
            confinedDirectories.put(parent, Boolean.TRUE);
        }
    }

    private void checkConfinedFully(Path file, String path) throws IOException {
        for (Path p = file; p != null && p.startsWith(root); p = p.getParent()) {
            Path real;
            try {
                real = p.toRealPath();
            } catch (FileSystemException missingOrNotADirectory) {
                continue;
            }
            if (!real.startsWith(root)) {
                throw new IOException(path + " leads out of the root directory through a symbolic link; the"
                        + " filesystem driver does not follow links out of its root");
            }
            return;
        }
    }

    /**
     * Remembers that a background write-back of {@code file} failed, for its commit to report. A channel closed while
     * its write-back ran is no failure: the commit syncs again.
     */
    void recordSyncFailure(Path file, IOException e) {
        if (!(e instanceof ClosedChannelException)) {
            LOG.warn("background write-back of {} failed: {}", file, e.toString());
            syncFailures.merge(file, e, (first, later) -> first);
        }
    }

    /** ENOTDIR: a component of the path is a file, so nothing can be below it. */
    private static boolean belowAFile(IOException e) {
        return e instanceof FileSystemException f && "Not a directory".equals(f.getReason());
    }

    /** The storage's "nothing there" (a missing file, or a path below a file) as PathNotFound; anything else as is. */
    private static IOException notFoundOr(IOException e, String path) {
        if (e instanceof NoSuchFileException) {
            return new PathNotFoundException(path);
        }
        return belowAFile(e) ? new PathNotFoundException(path, "no object there") : e;
    }

    /** Removes empty folders from {@code dir} up to, not including, the root. Stops at the first one in use. */
    private void pruneEmptyParents(Path dir) {
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            } catch (IOException e) {
                return; // not ours to fix: an empty folder is harmless
            }
        }
    }

    /**
     * Creates the parents of {@code target} and runs {@code action}; a concurrent delete may prune a parent folder
     * between the two, so the pair is retried a few times.
     */
    private void retryingOnVanishedParent(Path target, IoAction action) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Files.createDirectories(target.getParent());
            try {
                action.run();
                return;
            } catch (NoSuchFileException e) {
                if (attempt >= 5 || Files.exists(target.getParent())) {
                    throw e;
                }
            }
        }
    }

    private static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename durable: the directory entry itself must reach the disk. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for sync; the data itself was synced.
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private final class Writer implements StorageWriter {
        private final String path;
        private final Path file;
        private final FileChannel channel;
        /**
         * Gathers writes smaller than {@value #SMALL_WRITE} (which go to the file at once) and is allocated on the
         * first of them: a thousand open uploads that a slow network feeds hold 16 KiB each, not 256.
         */
        private ByteBuffer buffer;
        /** The file's size when the writer was opened, which a rollback truncates it back to. */
        private final long openedSize;
        private long size;
        private long unsyncedBytes;
        private Future<?> pendingSync;
        private boolean closed;

        Writer(String path, Path file, FileChannel channel) throws IOException {
            this.path = path;
            this.file = file;
            this.channel = channel;
            this.size = channel.size();
            this.openedSize = size;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("writer for " + path + " is closed");
            }
            if (len >= SMALL_WRITE) {
                flushBuffer();
                writeFully(ByteBuffer.wrap(b, off, len));
            } else {
                if (buffer == null) {
                    buffer = ByteBuffer.allocate(SMALL_WRITE);
                }
                if (len > buffer.remaining()) {
                    flushBuffer();
                }
                buffer.put(b, off, len);
            }
            size += len;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void commit() throws IOException {
            if (closed) {
                throw new IOException("writer for " + path + " is closed");
            }
            try {
                flushBuffer();
                awaitPendingSync();
                channel.force(false);
            } finally {
                closed = true;
                channel.close();
            }
            // Linux may report a later fsync as clean after an earlier one failed and dropped the dirty pages:
            // a failed write-back of this file, by any writer of it, fails the commit.
            IOException earlier = syncFailures.remove(file);
            if (earlier != null) {
                throw new IOException("an earlier write-back of " + path + " to the disk failed", earlier);
            }
        }

        @Override
        public void cancel() throws IOException {
            if (!closed) {
                closed = true;
                channel.close();
            }
            syncFailures.remove(file);
            Files.deleteIfExists(file);
            pruneEmptyParents(file.getParent());
        }

        /** Truncates the file to its size at the open; the bytes still in the buffer never reach it. */
        @Override
        public void rollback() throws IOException {
            if (closed) {
                throw new IOException("writer for " + path + " is closed");
            }
            closed = true;
            buffer = null;
            try {
                awaitPendingSync();
                channel.truncate(openedSize);
            } finally {
                channel.close();
            }
        }

        /**
         * Keeps the bytes for the next writer. When this writer left many bytes that are not on the disk yet (a big
         * chunk of an upload), the write-back and the closing of the file happen in the background, so that the
         * disk works while the next chunk arrives and the final commit finds little left to sync.
         */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            boolean handedOver = false;
            try {
                flushBuffer();
                if (unsyncedBytes >= BACKGROUND_SYNC_MIN_BYTES && backgroundCloses.tryAcquire()) {
                    syncer.execute(() -> {
                        try (channel) {
                            channel.force(false);
                        } catch (IOException e) {
                            recordSyncFailure(file, e);
                        } finally {
                            backgroundCloses.release();
                        }
                    });
                    handedOver = true;
                }
            } finally {
                if (!handedOver) {
                    channel.close();
                }
            }
        }

        private void flushBuffer() throws IOException {
            if (buffer != null && buffer.position() > 0) {
                buffer.flip();
                writeFully(buffer);
                buffer.clear();
            }
        }

        private void writeFully(ByteBuffer source) throws IOException {
            int n = source.remaining();
            while (source.hasRemaining()) {
                channel.write(source);
            }
            unsyncedBytes += n;
            if (unsyncedBytes >= BACKGROUND_SYNC_BYTES && (pendingSync == null || pendingSync.isDone())) {
                unsyncedBytes = 0;
                pendingSync = syncer.submit(() -> {
                    try {
                        channel.force(false);
                    } catch (IOException e) {
                        recordSyncFailure(file, e);
                    }
                    return null;
                });
            }
        }

        private void awaitPendingSync() {
            if (pendingSync != null) {
                try {
                    pendingSync.get();
                } catch (Exception e) {
                    // The final force below reports any real error.
                }
            }
        }
    }

    @Override
    public String toString() {
        return "FilesystemStorageDriver[" + root + "]";
    }
}
