package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.Registry;
import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance suite of {@link StorageDriver}: every contract of the SPI, checked the same way for every driver.
 * A driver author extends this class and implements {@link #createDriver()}:
 *
 * <pre>{@code
 * class MyDriverTest extends StorageDriverContract {
 *     @Override protected StorageDriver createDriver() { return new MyDriver(...); }
 * }
 * }</pre>
 *
 * Each test works below a fresh random folder and deletes it; afterwards the test fails if anything is left behind
 * ({@link #assertNothingLeftBehind()}, which a driver's test may extend with storage-specific checks). The driver is
 * used through the same wrapper the registry puts around it (path validation, driver-named errors); {@link #raw}
 * is the driver as created.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class StorageDriverContract {

    /** A driver for one test; it may hold data of earlier tests (each test stays below its own folder). */
    protected abstract StorageDriver createDriver() throws Exception;

    protected StorageDriver raw;
    protected StorageDriver driver;
    /** This test's folder: {@code /testkit-<random>}. */
    protected String base;
    protected final Random random = new Random(0x5eed);
    private Set<String> rootBefore;

    @BeforeEach
    void openDriver() throws Exception {
        raw = createDriver();
        driver = Registry.builder().storage(raw).build().storage();
        base = "/testkit-" + Long.toHexString(new Random().nextLong() & Long.MAX_VALUE);
        rootBefore = new HashSet<>(driver.list("/"));
    }

    @AfterEach
    void cleanUpAndCheck() throws Exception {
        try {
            try {
                driver.delete(base);
            } catch (PathNotFoundException e) {
                // the test cleaned up itself
            }
            assertNothingLeftBehind();
        } finally {
            driver.close();
        }
    }

    /**
     * Fails when the test left anything: the root must list what it listed before the test. Drivers extend this
     * with their own checks (temporary files on disk, unfinished multipart uploads).
     */
    protected void assertNothingLeftBehind() throws Exception {
        assertThat(new HashSet<>(driver.list("/"))).as("root after the test").isEqualTo(rootBefore);
    }

    protected String path(String relative) {
        return base + "/" + relative;
    }

    // ------------------------------------------------------------------ whole objects

    @Test
    public void putContentThenGetContentRoundTripsEveryKindOfPayload() throws IOException {
        byte[] allBytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            allBytes[i] = (byte) i;
        }
        List<byte[]> payloads = List.of(new byte[0], new byte[] {42}, allBytes,
                "unicode: ünïcødé ✓ 日本語 🚢".getBytes(StandardCharsets.UTF_8), randomBytes(1 << 20));
        for (int i = 0; i < payloads.size(); i++) {
            driver.putContent(path("payload-" + i), payloads.get(i));
            assertSameBytes(driver.getContent(path("payload-" + i)), payloads.get(i));
            assertThat(driver.stat(path("payload-" + i)).size()).isEqualTo(payloads.get(i).length);
        }
    }

    @Test
    public void putContentReplacesExistingContent() throws IOException {
        driver.putContent(path("file"), bytes("first, and longer"));
        driver.putContent(path("file"), bytes("second"));
        assertThat(driver.getContent(path("file"))).isEqualTo(bytes("second"));
        assertThat(driver.stat(path("file")).size()).isEqualTo(6);
    }

    @Test
    public void putContentCreatesDeepParents() throws IOException {
        driver.putContent(path("a/b/c/d/e"), bytes("deep"));
        assertThat(driver.getContent(path("a/b/c/d/e"))).isEqualTo(bytes("deep"));
        assertThat(driver.stat(path("a/b/c")).isDirectory()).isTrue();
    }

    @Test
    public void missingObjectsAreNotFound() {
        assertThatThrownBy(() -> driver.getContent(path("missing"))).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.reader(path("missing"), 0)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.stat(path("missing"))).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.list(path("missing"))).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.delete(path("missing"))).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.move(path("missing"), path("other"))).isInstanceOf(PathNotFoundException.class);
    }

    // ------------------------------------------------------------------ readers

    @Test
    public void readerStartsAtAnyOffsetUpToTheSize() throws IOException {
        byte[] content = randomBytes(100_000);
        driver.putContent(path("file"), content);
        for (int offset : new int[] {0, 1, 4096, 65_537, 99_999}) {
            try (InputStream in = driver.reader(path("file"), offset)) {
                assertSameBytes(in.readAllBytes(), Arrays.copyOfRange(content, offset, content.length));
            }
        }
        try (InputStream in = driver.reader(path("file"), content.length)) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    public void readerPastTheEndOrBeforeTheStartIsInvalidOffset() throws IOException {
        driver.putContent(path("file"), bytes("12345"));
        assertThatThrownBy(() -> driver.reader(path("file"), 6)).isInstanceOf(InvalidOffsetException.class);
        assertThatThrownBy(() -> driver.reader(path("file"), -1)).isInstanceOf(InvalidOffsetException.class);
    }

    // ------------------------------------------------------------------ writers

    @Test
    public void writerCommitsManyChunksAsOneObject() throws IOException {
        byte[] content = randomBytes(3_000_000);
        try (StorageWriter w = driver.writer(path("upload"), false)) {
            int offset = 0;
            for (int size : new int[] {1, 10, 100_000, 1_000_000, 1_899_989}) {
                w.write(content, offset, size);
                offset += size;
                assertThat(w.size()).isEqualTo(offset);
            }
            w.commit();
        }
        assertSameBytes(driver.getContent(path("upload")), content);
        assertThat(driver.stat(path("upload")).size()).isEqualTo(content.length);
    }

    @Test
    public void aClosedWriterCanBeContinuedByAnAppendingWriter() throws IOException {
        byte[] content = randomBytes(500_000);
        StorageWriter first = driver.writer(path("upload"), false);
        first.write(content, 0, 200_000);
        first.close();

        StorageWriter second = driver.writer(path("upload"), true);
        assertThat(second.size()).isEqualTo(200_000);
        second.write(content, 200_000, 300_000);
        assertThat(second.size()).isEqualTo(500_000);
        second.close();

        StorageWriter third = driver.writer(path("upload"), true);
        assertThat(third.size()).isEqualTo(500_000);
        third.commit();
        assertSameBytes(driver.getContent(path("upload")), content);
    }

    @Test
    public void appendingToNothingIsNotFound() {
        assertThatThrownBy(() -> driver.writer(path("never-written"), true)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    public void aNonAppendingWriterTruncates() throws IOException {
        driver.putContent(path("file"), bytes("old content that is long"));
        try (StorageWriter w = driver.writer(path("file"), false)) {
            assertThat(w.size()).isZero();
            w.write(bytes("new"), 0, 3);
            w.commit();
        }
        assertThat(driver.getContent(path("file"))).isEqualTo(bytes("new"));
    }

    @Test
    public void cancelDiscardsTheObject() throws IOException {
        StorageWriter w = driver.writer(path("upload"), false);
        w.write(randomBytes(10_000), 0, 10_000);
        w.close();
        StorageWriter again = driver.writer(path("upload"), true);
        again.write(randomBytes(10), 0, 10);
        again.cancel();
        assertThatThrownBy(() -> driver.stat(path("upload"))).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.writer(path("upload"), true)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    public void aFinishedWriterRefusesWritesAndToleratesClose() throws IOException {
        StorageWriter committed = driver.writer(path("a"), false);
        committed.write(bytes("x"), 0, 1);
        committed.commit();
        assertThatThrownBy(() -> committed.write(bytes("y"), 0, 1)).isInstanceOf(IOException.class);
        committed.close();
        assertThat(driver.getContent(path("a"))).isEqualTo(bytes("x"));

        StorageWriter closed = driver.writer(path("b"), false);
        closed.close();
        assertThatThrownBy(() -> closed.write(bytes("y"), 0, 1)).isInstanceOf(IOException.class);
        closed.close();

        StorageWriter cancelled = driver.writer(path("c"), false);
        cancelled.cancel();
        assertThatThrownBy(() -> cancelled.write(bytes("y"), 0, 1)).isInstanceOf(IOException.class);
        cancelled.close();
    }

    @Test
    public void aLargeObjectStreamsThroughAWriterAndAReader() throws Exception {
        int chunk = 1 << 20;
        int chunks = 32;
        byte[] block = randomBytes(chunk);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (StorageWriter w = driver.writer(path("large"), false)) {
            for (int i = 0; i < chunks; i++) {
                block[0] = (byte) i; // every block differs
                w.write(block, 0, chunk);
                written.update(block);
            }
            w.commit();
        }
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = driver.reader(path("large"), 0)) {
            byte[] buf = new byte[64 << 10];
            int n;
            while ((n = in.read(buf)) > 0) {
                read.update(buf, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo((long) chunk * chunks);
        assertThat(read.digest()).isEqualTo(written.digest());
    }

    // ------------------------------------------------------------------ stat and list

    @Test
    public void statTellsFilesFromDirectories() throws IOException {
        Instant before = Instant.now().minusSeconds(5);
        driver.putContent(path("dir/file"), bytes("12345"));
        FileInfo file = driver.stat(path("dir/file"));
        assertThat(file.isDirectory()).isFalse();
        assertThat(file.size()).isEqualTo(5);
        assertThat(file.path()).isEqualTo(path("dir/file"));
        assertThat(file.modTime()).isBefore(Instant.now().plusSeconds(5));
        if (!file.modTime().equals(Instant.EPOCH)) {
            assertThat(file.modTime()).isAfter(before);
        }
        FileInfo dir = driver.stat(path("dir"));
        assertThat(dir.isDirectory()).isTrue();
        assertThat(dir.path()).isEqualTo(path("dir"));
    }

    @Test
    public void listShowsOneLevelAsFullPaths() throws IOException {
        driver.putContent(path("l/a"), bytes("a"));
        driver.putContent(path("l/b/c"), bytes("c"));
        driver.putContent(path("l/b/d/e"), bytes("e"));
        assertThat(driver.list(path("l"))).containsExactlyInAnyOrder(path("l/a"), path("l/b"));
        assertThat(driver.list(path("l/b"))).containsExactlyInAnyOrder(path("l/b/c"), path("l/b/d"));
        assertThat(driver.list("/")).contains(base);
    }

    @Test
    public void listDoesNotConfuseNamesThatArePrefixesOfOthers() throws IOException {
        driver.putContent(path("p/tag/current/link"), bytes("1"));
        driver.putContent(path("p/tag-2/current/link"), bytes("2"));
        driver.putContent(path("p/a/x"), bytes("3"));
        driver.putContent(path("p/ab/y"), bytes("4"));
        driver.putContent(path("p/a.b"), bytes("5"));
        assertThat(driver.list(path("p"))).containsExactlyInAnyOrder(path("p/tag"), path("p/tag-2"), path("p/a"),
                path("p/ab"), path("p/a.b"));
        assertThat(driver.list(path("p/a"))).containsExactly(path("p/a/x"));
        assertThat(driver.list(path("p/tag"))).containsExactly(path("p/tag/current"));
    }

    @Test
    public void listReturnsEveryEntryOfALargeDirectory() throws IOException {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 1100; i++) {
            String p = path("many/" + String.format("%05d", i));
            driver.putContent(p, new byte[] {(byte) i});
            expected.add(p);
        }
        List<String> listed = driver.list(path("many"));
        assertThat(listed).hasSize(1100);
        assertThat(new HashSet<>(listed)).isEqualTo(expected);
    }

    // ------------------------------------------------------------------ move and delete

    @Test
    public void moveTakesTheContentAndLeavesNothingBehind() throws IOException {
        driver.putContent(path("from/file"), bytes("moving"));
        driver.move(path("from/file"), path("to/deep/er/file"));
        assertThat(driver.getContent(path("to/deep/er/file"))).isEqualTo(bytes("moving"));
        assertThatThrownBy(() -> driver.stat(path("from/file"))).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    public void moveReplacesAnExistingTarget() throws IOException {
        driver.putContent(path("source"), bytes("new"));
        driver.putContent(path("target"), bytes("old and longer"));
        driver.move(path("source"), path("target"));
        assertThat(driver.getContent(path("target"))).isEqualTo(bytes("new"));
        assertThatThrownBy(() -> driver.getContent(path("source"))).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    public void deleteRemovesAFile() throws IOException {
        driver.putContent(path("d/file"), bytes("x"));
        driver.putContent(path("d/other"), bytes("y"));
        driver.delete(path("d/file"));
        assertThatThrownBy(() -> driver.stat(path("d/file"))).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.list(path("d"))).containsExactly(path("d/other"));
    }

    @Test
    public void deleteRemovesADirectoryRecursivelyAndSparesSiblingsSharingItsPrefix() throws IOException {
        driver.putContent(path("d/a/1"), bytes("1"));
        driver.putContent(path("d/a/sub/2"), bytes("2"));
        driver.putContent(path("d/ab/3"), bytes("3"));
        driver.putContent(path("d/a-b"), bytes("4"));
        driver.putContent(path("d/a.txt"), bytes("5"));
        driver.delete(path("d/a"));
        assertThatThrownBy(() -> driver.stat(path("d/a"))).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.getContent(path("d/a/sub/2"))).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent(path("d/ab/3"))).isEqualTo(bytes("3"));
        assertThat(driver.getContent(path("d/a-b"))).isEqualTo(bytes("4"));
        assertThat(driver.getContent(path("d/a.txt"))).isEqualTo(bytes("5"));
        assertThat(driver.list(path("d"))).containsExactlyInAnyOrder(path("d/ab"), path("d/a-b"), path("d/a.txt"));
    }

    /**
     * Directories are implicit: once the last object below a folder is deleted, the folder is not listed any more.
     * (The registry relies on it: an empty tags folder must not list a tag.)
     */
    @Test
    public void aFolderEmptiedByDeleteDisappears() throws IOException {
        driver.putContent(path("x/tags/v1/current/link"), bytes("1"));
        driver.putContent(path("x/keep"), bytes("k"));
        driver.delete(path("x/tags/v1/current/link"));
        assertThat(driver.list(path("x"))).containsExactly(path("x/keep"));
    }

    // ------------------------------------------------------------------ walk

    @Test
    public void walkVisitsEveryObjectOnceAndNoFolder() throws IOException {
        Set<String> expected = new HashSet<>();
        for (String p : List.of("w/1", "w/a/2", "w/a/b/3", "w/a/b/4", "w/c/d/e/5")) {
            driver.putContent(path(p), bytes(p));
            expected.add(path(p));
        }
        List<String> visited = new ArrayList<>();
        driver.walk(path("w"), f -> {
            assertThat(f.isDirectory()).isFalse();
            visited.add(f.path());
        });
        assertThat(visited).hasSize(expected.size());
        assertThat(new HashSet<>(visited)).isEqualTo(expected);
    }

    // ------------------------------------------------------------------ paths and errors

    @Test
    public void invalidPathsAreRefusedAndCreateNothing() throws IOException {
        driver.putContent(path("existing"), bytes("x"));
        String[] bad = {"relative/path", base + "//double", base + "/../escape", base + "/./dot", "/../etc/passwd",
                base + "/trailing/", base + "/sp ace", base + "/per%cent", base + "/back\\slash", base + "/nul\u0000",
                base + "/colon:x", ""};
        for (String p : bad) {
            assertThatThrownBy(() -> driver.putContent(p, bytes("x"))).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.getContent(p)).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.writer(p, false)).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.reader(p, 0)).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.stat(p)).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.list(p)).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.delete(p)).as(p).isInstanceOf(InvalidPathException.class);
            assertThatThrownBy(() -> driver.move(path("existing"), p)).as(p).isInstanceOf(InvalidPathException.class);
        }
        assertThat(driver.list(base)).containsExactly(path("existing"));
        assertThat(new HashSet<>(driver.list("/"))).isEqualTo(union(rootBefore, base));
    }

    @Test
    public void errorsThroughTheRegistryNameTheDriver() {
        assertThatThrownBy(() -> driver.getContent(path("missing"))).isInstanceOf(PathNotFoundException.class)
                .hasMessageContaining(raw.name());
    }

    @Test
    public void redirectUrlIsOptionalButNeverFailsForAnExistingObject() throws IOException {
        driver.putContent(path("blob"), bytes("x"));
        assertThat(driver.redirectUrl(path("blob"), Duration.ofMinutes(20))).isNotNull();
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    public void concurrentWritersAndReadersOfSeparateObjectsDoNotInterfere() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    Random r = new Random(thread);
                    for (int i = 0; i < 25; i++) {
                        byte[] content = new byte[r.nextInt(20_000)];
                        r.nextBytes(content);
                        String p = path("c/t" + thread + "/o" + i);
                        try (StorageWriter w = driver.writer(p, false)) {
                            w.write(content, 0, content.length);
                            w.commit();
                        }
                        assertSameBytes(driver.getContent(p), content);
                        if (i % 3 == 0) {
                            driver.delete(p);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < 8; t++) {
            assertThat(driver.list(path("c/t" + t))).hasSize(16);
        }
    }

    @Test
    public void readersOfAnObjectBeingReplacedSeeOldOrNewNeverAMix() throws Exception {
        byte[] a = new byte[200_000];
        byte[] b = new byte[200_000];
        Arrays.fill(a, (byte) 'a');
        Arrays.fill(b, (byte) 'b');
        driver.putContent(path("hot"), a);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    driver.putContent(path("hot"), i % 2 == 0 ? b : a);
                }
                stop.set(true);
                return null;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (!stop.get() || reads == 0) {
                        byte[] seen = driver.getContent(path("hot"));
                        assertThat(Arrays.equals(seen, a) || Arrays.equals(seen, b)).as("old or new content").isTrue();
                        reads++;
                    }
                    return reads;
                }));
            }
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> r : readers) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ helpers

    protected byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Compares byte arrays without printing megabytes when they differ. */
    protected static void assertSameBytes(byte[] actual, byte[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("first differing byte of %d read vs %d expected", actual.length, expected.length)
                .isEqualTo(-1);
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> union(Set<String> set, String extra) {
        Set<String> u = new HashSet<>(set);
        u.add(extra);
        return u;
    }
}
