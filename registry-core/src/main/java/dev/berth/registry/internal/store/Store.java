package dev.berth.registry.internal.store;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.internal.cache.GuardedCache;
import dev.berth.registry.internal.layout.Layout;
import dev.berth.registry.internal.storage.StoragePaths;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What every part of the store shares: the (checked) driver, the clock, the settings, and the small idioms of a
 * content-addressed store over a flat driver — a link is a tiny object holding a digest, absence is an empty
 * Optional, and a storage failure becomes {@link ErrorCode#UNAVAILABLE} (the cause keeps the details for the log,
 * the client's message names only the driver).
 */
public final class Store {
    private final StorageDriver driver;
    private final Clock clock;
    private final boolean deletesEnabled;
    private final boolean readOnly;
    private final RunningHashes hashes;
    private final GuardedCache cache;
    private final SweepGuard sweepGuard = new SweepGuard();
    private final ImmutableTags immutableTags;

    public Store(StorageDriver driver, Clock clock, boolean deletesEnabled, RunningHashes hashes) {
        this(driver, clock, deletesEnabled, hashes, new GuardedCache(null, false));
    }

    public Store(StorageDriver driver, Clock clock, boolean deletesEnabled, RunningHashes hashes, GuardedCache cache) {
        this(driver, clock, deletesEnabled, false, hashes, cache, ImmutableTags.NONE);
    }

    public Store(StorageDriver driver, Clock clock, boolean deletesEnabled, boolean readOnly, RunningHashes hashes,
            GuardedCache cache, ImmutableTags immutableTags) {
        this.driver = driver;
        this.clock = clock;
        this.deletesEnabled = deletesEnabled;
        this.readOnly = readOnly;
        this.hashes = hashes;
        this.cache = cache;
        this.immutableTags = immutableTags;
    }

    /** The tags that may not move or be deleted. */
    public ImmutableTags immutableTags() {
        return immutableTags;
    }

    /** The cache in front of storage (a no-op when none is configured); it never throws. */
    public GuardedCache cache() {
        return cache;
    }

    /** What an online garbage collection in this JVM and the writers coordinate through. */
    public SweepGuard sweepGuard() {
        return sweepGuard;
    }

    /**
     * A writer is about to rely on the blob {@code digest} being in storage (and checks that it is next): a garbage
     * collection running in this JVM will not delete it, or has just deleted it and this returns once it is gone.
     */
    public void touch(Digest digest) {
        sweepGuard.touch(digest);
    }

    public StorageDriver driver() {
        return driver;
    }

    public Clock clock() {
        return clock;
    }

    public RunningHashes hashes() {
        return hashes;
    }

    /** Whether deletes are enabled (distribution's {@code storage.delete.enabled}). */
    public boolean deletesEnabled() {
        return deletesEnabled;
    }

    /** Whether the registry refuses every write (distribution's {@code storage.maintenance.readonly}). */
    public boolean readOnly() {
        return readOnly;
    }

    /**
     * Throws UNSUPPORTED when the registry is read-only. Every write of the registry API calls it first, before any
     * storage access, so that a refused write leaves storage exactly as it was.
     */
    public void checkWritable() {
        if (readOnly) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "this registry is in read-only mode (maintenance);"
                    + " pushes and deletes are refused, pulls work");
        }
    }

    /** Throws UNSUPPORTED unless deletes are enabled (distribution's {@code storage.delete.enabled}). */
    public void checkDeletesEnabled() {
        if (!deletesEnabled) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled on this registry");
        }
    }

    /** The storage failure as the client sees it. */
    public RegistryException unavailable(IOException e) {
        return new RegistryException(ErrorCode.UNAVAILABLE, "storage driver '" + driver.name() + "' failed", e);
    }

    public Optional<FileInfo> stat(String path) {
        try {
            return Optional.of(driver.stat(path));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    public boolean exists(String path) {
        return stat(path).isPresent();
    }

    public Optional<byte[]> get(String path) {
        try {
            return Optional.of(driver.getContent(path));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    public void put(String path, byte[] content) {
        try {
            driver.putContent(path, content);
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    /** Deletes a path; returns false when there was nothing there. */
    public boolean delete(String path) {
        try {
            driver.delete(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    /** Children of a directory; an empty list when it does not exist. */
    public List<String> list(String path) {
        try {
            return driver.list(path);
        } catch (PathNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    /**
     * Visits every folder under {@code repositories/} whose path is a valid repository name, with the names of its
     * children (its own {@code _manifests}, {@code _layers}, ... and nested repositories), listing each folder once.
     * A repository's own folders (those starting with '_') are not descended into.
     */
    public void forEachRepositoryFolder(BiConsumer<RepositoryName, List<String>> visitor) {
        visitRepositoryFolders(Layout.REPOSITORIES, "", visitor);
    }

    private void visitRepositoryFolders(String dir, String prefix,
            BiConsumer<RepositoryName, List<String>> visitor) {
        List<String> children = list(dir);
        if (!prefix.isEmpty()) {
            visitor.accept(new RepositoryName(prefix), children.stream().map(StoragePaths::name).toList());
        }
        for (String child : children) {
            String component = StoragePaths.name(child);
            String candidate = prefix.isEmpty() ? component : prefix + "/" + component;
            if (!component.startsWith("_") && RepositoryName.isValid(candidate)) {
                visitRepositoryFolders(child, candidate, visitor);
            }
        }
    }

    /** Writes a link: the digest as text, as distribution does. */
    public void putLink(String path, Digest digest) {
        put(path, digest.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Reads a link. A link that does not hold a valid digest (a damaged store) is treated as absent, with the
     * reason kept out of the client's way.
     */
    public Optional<Digest> readLink(String path) {
        Optional<byte[]> content = get(path);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(new String(content.get(), StandardCharsets.US_ASCII).trim()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    /** Runs storage I/O that may fail, turning a failure into UNAVAILABLE. */
    public <T> T io(IoSupplier<T> action) {
        try {
            return action.get();
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    @FunctionalInterface
    public interface IoSupplier<T> {
        T get() throws IOException;
    }
}
