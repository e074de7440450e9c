package dev.berth.registry.testkit;

import com.sun.net.httpserver.HttpServer;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.ForwardingStorageDriver;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kit is only worth something if it fails broken drivers: each driver here is the in-memory one with one bug that
 * real drivers have had, and the contract's test for that behaviour must fail on it (the correct driver passes the
 * same tests in {@code InMemoryStorageDriverTest}).
 */
class StorageDriverContractCatchesBrokenDriversTest {

    private static final String HEALTH_TEST = "aHealthyDriverPassesItsHealthCheckAndLeavesNothingBehind";
    private static final String REDIRECT_TEST = "redirectUrlOfAnExistingObjectServesItsBytesWhenOffered";

    static Stream<Arguments> brokenDrivers() {
        return Stream.of(
                Arguments.of(ListMatchesNamePrefixes.class, "listKeepsNamesThatArePrefixesOfOthersApart"),
                Arguments.of(ListStopsAfterOnePage.class, "listGivesAllOfManyChildren"),
                Arguments.of(ListRepeatsChildren.class, "listGivesTheDirectChildrenAsFullPathsEachOnce"),
                Arguments.of(ListGivesNamesNotPaths.class, "listGivesTheDirectChildrenAsFullPathsEachOnce"),
                Arguments.of(DeleteMatchesNamePrefixes.class, "deleteSparesSiblingsWhoseNamesShareItsPrefix"),
                Arguments.of(DeleteIsShallow.class, "deleteRemovesADirectoryRecursively"),
                Arguments.of(DeleteIsShallow.class, "putContentCreatesTheParentDirectories"), // leftovers caught
                Arguments.of(KeepsEmptyDirectories.class, "deletingTheLastObjectLeavesNoEmptyDirectoryBehind"),
                Arguments.of(KeepsEmptyDirectories.class, "movingTheLastObjectOutLeavesNoEmptyDirectoryBehind"),
                Arguments.of(AppendStartsOver.class, "aClosedWriterCanBeResumedWithAppend"),
                Arguments.of(WriterNeverTruncates.class, "aWriterWithoutAppendTruncatesExistingContent"),
                Arguments.of(EmptyCommitLeavesNothing.class, "aWriterCommittedWithoutWritesLeavesAnEmptyObject"),
                Arguments.of(CancelKeepsTheBytes.class, "cancelDiscardsTheObject"),
                Arguments.of(RollbackKeepsTheBytes.class, "rollbackDropsThisWritersBytesAndKeepsWhatEarlierWritersKept"),
                Arguments.of(RollbackDropsEverything.class,
                        "rollbackDropsThisWritersBytesAndKeepsWhatEarlierWritersKept"),
                Arguments.of(RollbackKeepsTheBytes.class, "rollbackOfANewWriterLeavesAnEmptyObject"),
                Arguments.of(WritesAfterCloseVanish.class, "writingAfterCloseFails"),
                Arguments.of(ReadsPastTheEndQuietly.class, "readerPastTheSizeThrowsInvalidOffset"),
                Arguments.of(NegativeOffsetReadsFromStart.class, "readerRejectsANegativeOffset"),
                Arguments.of(TornPutContent.class, "concurrentReadersSeeTheOldOrTheNewContentNeverAMix"),
                Arguments.of(ReportsHostPaths.class, "pathNotFoundReportsTheStoragePath"),
                Arguments.of(MoveCopies.class, "moveMovesTheContentAndRemovesTheSource"),
                Arguments.of(StatCallsDirectoriesFiles.class, "statOfADirectorySaysDirectory"),
                Arguments.of(ModTimeInTheFuture.class, "modTimeIsTheTimeOfTheWriteAndNotInTheFuture"),
                Arguments.of(WalkVisitsDirectories.class, "walkVisitsEveryObjectUnderThePathExactlyOnce"),
                Arguments.of(HealthFailsOnAnEmptyStore.class, HEALTH_TEST),
                Arguments.of(HealthProbeLeftBehind.class, HEALTH_TEST),
                Arguments.of(RedirectsToATruncatedCopy.class, REDIRECT_TEST));
    }

    static Stream<String> testsUsed() {
        return brokenDrivers().map(a -> (String) a.get()[1]).distinct();
    }

    @ParameterizedTest(name = "{0} fails {1}")
    @MethodSource("brokenDrivers")
    void theContractFailsABrokenDriver(Class<? extends StorageDriverContract> broken, String test) {
        KitRun.assertFails(broken, test);
    }

    /** The control: through the same harness, the faithful delegate passes, so the failures above are the bugs'. */
    @ParameterizedTest(name = "a faithful delegate passes {0}")
    @MethodSource("testsUsed")
    void theSameTestPassesTheFaithfulDelegate(String test) {
        KitRun.assertPasses(Faithful.class, test);
    }

    /** The faithful delegate has no redirect URL: a faithful one that has one passes the redirect test too. */
    @Test
    void aFaithfulRedirectPassesTheRedirectTest() {
        KitRun.assertPasses(RedirectsFaithfully.class, REDIRECT_TEST);
    }

    /** The kit's groups run on the kit's {@code createDriver()} and call its hooks. */
    @Test
    void theKitsGroupsUseTheKitsDriverAndHooks() {
        KitRun.assertFails(List.of(KitOverABrokenDriver.class), StorageDriverKit.Operations.class,
                "listKeepsNamesThatArePrefixesOfOthersApart");
        KitRun.assertFails(List.of(KitThatFindsLeftovers.class), StorageDriverKit.Operations.class,
                "putContentAndGetContentRoundTripOneByte");
        KitRun.assertPasses(List.of(KitOverAFaithfulDriver.class), StorageDriverKit.Operations.class,
                "putContentAndGetContentRoundTripOneByte");
        KitRun.assertPasses(List.of(KitOverAFaithfulDriver.class), StorageDriverKit.WholeRegistry.class,
                "storageLayoutIsDistributions");
    }

    static class KitOverAFaithfulDriver extends StorageDriverKit {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
            };
        }
    }

    static class KitOverABrokenDriver extends StorageDriverKit {
        @Override
        protected StorageDriver createDriver() {
            return new ListMatchesNamePrefixes().createDriver();
        }
    }

    static class KitThatFindsLeftovers extends KitOverAFaithfulDriver {
        @Override
        protected void assertNothingLeftBehind() {
            throw new AssertionError("a temporary file is left (made up)");
        }
    }

    /** The parent of a valid path other than {@code /}: {@code /a/b} gives {@code /a}, {@code /a} gives {@code /}. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the broken drivers, each run through the kit; nested, so that surefire does not run them on its own

    /** Forwards everything to an in-memory driver; subclasses break one thing. */
    abstract static class Delegating extends ForwardingStorageDriver {
        final StorageDriver d = delegate();

        Delegating() {
            super(new InMemoryStorageDriver());
        }

        @Override
        public String name() {
            return "broken";
        }

        List<String> allObjects() throws IOException {
            List<String> all = new ArrayList<>();
            d.walk("/", f -> all.add(f.path()));
            return all;
        }
    }

    /** A writer that forwards everything; subclasses break one thing. */
    static class DelegatingWriter implements StorageWriter {
        final StorageWriter w;

        DelegatingWriter(StorageWriter w) {
            this.w = w;
        }

        @Override
        public void write(byte[] buffer, int offset, int len) throws IOException {
            w.write(buffer, offset, len);
        }

        @Override
        public long size() {
            return w.size();
        }

        @Override
        public void commit() throws IOException {
            w.commit();
        }

        @Override
        public void cancel() throws IOException {
            w.cancel();
        }

        @Override
        public void rollback() throws IOException {
            w.rollback();
        }

        @Override
        public void close() throws IOException {
            w.close();
        }
    }

    static class Faithful extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
            };
        }
    }

    /** The S3 bug: listing with the path as a key prefix but no trailing slash, so /p/a also shows /p/ab. */
    static class ListMatchesNamePrefixes extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public List<String> list(String path) throws IOException {
                    Set<String> children = new LinkedHashSet<>();
                    for (String key : allObjects()) {
                        if (key.startsWith(path) && key.length() > path.length()) {
                            int slash = key.indexOf('/', path.length() + 1);
                            children.add(slash < 0 ? key : key.substring(0, slash));
                        }
                    }
                    if (children.isEmpty() && !path.equals("/")) {
                        throw new PathNotFoundException(path);
                    }
                    return new ArrayList<>(children);
                }
            };
        }
    }

    /**
     * Takes "nothing to list" for "the bucket is wrong": a fresh store (or a prefix nothing was pushed to yet) would
     * keep every replica out of the load balancer.
     */
    static class HealthFailsOnAnEmptyStore extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public void checkHealth(boolean writable) throws IOException {
                    if (d.list("/").isEmpty()) {
                        throw new IOException("no objects: is the bucket right?");
                    }
                }
            };
        }
    }

    /** Proves that the storage takes writes with an object it never deletes: every poll would add to the store. */
    static class HealthProbeLeftBehind extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public void checkHealth(boolean writable) throws IOException {
                    if (writable) {
                        d.putContent("/health-probe", new byte[] {1});
                    }
                    d.stat("/");
                }
            };
        }
    }

    /** Forgets to follow the continuation token. */
    static class ListStopsAfterOnePage extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public List<String> list(String path) throws IOException {
                    List<String> all = d.list(path);
                    return all.subList(0, Math.min(1000, all.size()));
                }
            };
        }
    }

    static class ListRepeatsChildren extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public List<String> list(String path) throws IOException {
                    List<String> children = new ArrayList<>();
                    for (String child : d.list(path)) {
                        children.add(child);
                        if (stat(child).isDirectory()) {
                            children.add(child); // once as a "prefix", once as a directory marker
                        }
                    }
                    return children;
                }
            };
        }
    }

    static class ListGivesNamesNotPaths extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public List<String> list(String path) throws IOException {
                    return d.list(path).stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).toList();
                }
            };
        }
    }

    /** Deletes every key that starts with the path, slash or not. */
    static class DeleteMatchesNamePrefixes extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public void delete(String path) throws IOException {
                    boolean found = false;
                    for (String key : allObjects()) {
                        if (key.startsWith(path)) {
                            d.delete(key);
                            found = true;
                        }
                    }
                    if (!found) {
                        throw new PathNotFoundException(path);
                    }
                }
            };
        }
    }

    /** Deletes the objects directly in a directory and nothing deeper. */
    static class DeleteIsShallow extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public void delete(String path) throws IOException {
                    if (!d.stat(path).isDirectory()) {
                        d.delete(path);
                        return;
                    }
                    for (String child : d.list(path)) {
                        if (!d.stat(child).isDirectory()) {
                            d.delete(child);
                        }
                    }
                }
            };
        }
    }

    /** Keeps directories once created, as a file system does unless it prunes. */
    static class KeepsEmptyDirectories extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                final Set<String> directories = ConcurrentHashMap.newKeySet();

                void remember(String path) {
                    for (String p = parent(path); !p.equals("/"); p = parent(p)) {
                        directories.add(p);
                    }
                }

                @Override
                public void putContent(String path, byte[] content) throws IOException {
                    remember(path);
                    d.putContent(path, content);
                }

                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    remember(path);
                    return d.writer(path, append);
                }

                @Override
                public void move(String sourcePath, String destPath) throws IOException {
                    remember(destPath);
                    d.move(sourcePath, destPath);
                }

                @Override
                public void delete(String path) throws IOException {
                    directories.removeIf(dir -> dir.equals(path) || dir.startsWith(path + "/"));
                    d.delete(path);
                }

                @Override
                public FileInfo stat(String path) throws IOException {
                    try {
                        return d.stat(path);
                    } catch (PathNotFoundException e) {
                        if (directories.contains(path)) {
                            return FileInfo.directory(path, Instant.EPOCH);
                        }
                        throw e;
                    }
                }

                @Override
                public List<String> list(String path) throws IOException {
                    Set<String> children = new LinkedHashSet<>();
                    try {
                        children.addAll(d.list(path));
                    } catch (PathNotFoundException e) {
                        // maybe an empty directory
                    }
                    for (String dir : directories) {
                        if (parent(dir).equals(path)) {
                            children.add(dir);
                        }
                    }
                    if (children.isEmpty() && !path.equals("/") && !directories.contains(path)) {
                        throw new PathNotFoundException(path);
                    }
                    return new ArrayList<>(children);
                }
            };
        }
    }

    static class AppendStartsOver extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    if (append) {
                        d.stat(path);
                    }
                    return d.writer(path, false);
                }
            };
        }
    }

    static class WriterNeverTruncates extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    try {
                        return d.writer(path, true);
                    } catch (PathNotFoundException e) {
                        return d.writer(path, false);
                    }
                }
            };
        }
    }

    /** Creates the object on the first write, so a commit without writes leaves nothing. */
    static class EmptyCommitLeavesNothing extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    return new DelegatingWriter(d.writer(path, append)) {
                        @Override
                        public void commit() throws IOException {
                            w.commit();
                            if (w.size() == 0) {
                                d.delete(path);
                            }
                        }
                    };
                }
            };
        }
    }

    /** "Rolls back" by keeping what was written, as a driver that maps rollback to close would. */
    static class RollbackKeepsTheBytes extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    return new DelegatingWriter(d.writer(path, append)) {
                        @Override
                        public void rollback() throws IOException {
                            w.close();
                        }
                    };
                }
            };
        }
    }

    /** Rolls back by discarding the whole object, earlier writers' bytes too, as a driver that maps it to cancel. */
    static class RollbackDropsEverything extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    return new DelegatingWriter(d.writer(path, append)) {
                        @Override
                        public void rollback() throws IOException {
                            w.cancel();
                        }
                    };
                }
            };
        }
    }

    static class CancelKeepsTheBytes extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    return new DelegatingWriter(d.writer(path, append)) {
                        @Override
                        public void cancel() throws IOException {
                            w.close();
                        }
                    };
                }
            };
        }
    }

    static class WritesAfterCloseVanish extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public StorageWriter writer(String path, boolean append) throws IOException {
                    return new DelegatingWriter(d.writer(path, append)) {
                        boolean closed;

                        @Override
                        public void write(byte[] buffer, int offset, int len) throws IOException {
                            if (!closed) {
                                w.write(buffer, offset, len);
                            }
                        }

                        @Override
                        public void close() throws IOException {
                            closed = true;
                            w.close();
                        }
                    };
                }
            };
        }
    }

    static class ReadsPastTheEndQuietly extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public InputStream reader(String path, long offset) throws IOException {
                    long size = d.stat(path).size();
                    return offset > size ? new ByteArrayInputStream(new byte[0]) : d.reader(path, offset);
                }
            };
        }
    }

    static class NegativeOffsetReadsFromStart extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public InputStream reader(String path, long offset) throws IOException {
                    return d.reader(path, Math.max(0, offset));
                }
            };
        }
    }

    /**
     * Writes in place, so a reader can see the first half alone. Once readers are about, the first half it writes
     * stays until one of them has read it: the kit sees the mix however the threads are scheduled.
     */
    static class TornPutContent extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                private volatile boolean readersAbout;
                private volatile boolean halfWritten;
                private final CountDownLatch halfRead = new CountDownLatch(1);

                @Override
                public void putContent(String path, byte[] content) throws IOException {
                    d.putContent(path, Arrays.copyOf(content, content.length / 2));
                    if (readersAbout && halfRead.getCount() > 0) {
                        halfWritten = true;
                        try {
                            halfRead.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    d.putContent(path, content);
                }

                @Override
                public byte[] getContent(String path) throws IOException {
                    boolean half = halfWritten; // then this read began after the half was written, before the rest
                    byte[] read = d.getContent(path);
                    readersAbout = true;
                    if (half) {
                        halfRead.countDown();
                    }
                    return read;
                }
            };
        }
    }

    static class ReportsHostPaths extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public byte[] getContent(String path) throws IOException {
                    try {
                        return d.getContent(path);
                    } catch (PathNotFoundException e) {
                        throw new PathNotFoundException("/srv/registry" + path);
                    }
                }
            };
        }
    }

    static class MoveCopies extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public void move(String sourcePath, String destPath) throws IOException {
                    d.putContent(destPath, d.getContent(sourcePath));
                }
            };
        }
    }

    static class StatCallsDirectoriesFiles extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public FileInfo stat(String path) throws IOException {
                    FileInfo info = d.stat(path);
                    return FileInfo.file(info.path(), info.size(), info.modTime());
                }
            };
        }
    }

    static class ModTimeInTheFuture extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public FileInfo stat(String path) throws IOException {
                    FileInfo info = d.stat(path);
                    return new FileInfo(info.path(), info.size(), info.modTime().plus(1, ChronoUnit.HOURS),
                            info.isDirectory());
                }
            };
        }
    }

    static class WalkVisitsDirectories extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Delegating() {
                @Override
                public void walk(String path, WalkVisitor visitor) throws IOException {
                    for (String child : d.list(path)) {
                        FileInfo info = d.stat(child);
                        visitor.visit(info);
                        if (info.isDirectory()) {
                            walk(child, visitor);
                        }
                    }
                }
            };
        }
    }

    /** Serves objects over HTTP at made-up URLs, as a storage a driver redirects to would. */
    static final class ObjectServer {
        private static final Map<String, byte[]> OBJECTS = new ConcurrentHashMap<>();
        private static HttpServer server;

        static synchronized URI serve(byte[] bytes) throws IOException {
            if (server == null) {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                server.createContext("/", exchange -> {
                    byte[] body = OBJECTS.get(exchange.getRequestURI().getPath());
                    exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        if (body != null) {
                            out.write(body);
                        }
                    }
                });
                server.setExecutor(null);
                server.start();
            }
            String path = "/" + UUID.randomUUID();
            OBJECTS.put(path, bytes);
            return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                    + path);
        }
    }

    /** Redirects to what {@code served} makes of the object, at a URL of {@link ObjectServer}. */
    static class Redirecting extends Delegating {
        private final UnaryOperator<byte[]> served;

        Redirecting(UnaryOperator<byte[]> served) {
            this.served = served;
        }

        @Override
        public Optional<URI> redirectUrl(String path, Duration validity) throws IOException {
            return Optional.of(ObjectServer.serve(served.apply(d.getContent(path))));
        }
    }

    /** Redirects to a copy of the object, as a driver over a store with URLs of its own does. */
    static class RedirectsFaithfully extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Redirecting(UnaryOperator.identity());
        }
    }

    /** A redirect to the wrong bytes (a URL signed for a part of the object), which no one looked at. */
    static class RedirectsToATruncatedCopy extends StorageDriverContract {
        @Override
        protected StorageDriver createDriver() {
            return new Redirecting(all -> Arrays.copyOf(all, all.length / 2));
        }
    }
}
