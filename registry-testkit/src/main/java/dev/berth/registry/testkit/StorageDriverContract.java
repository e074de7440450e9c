package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.berth.registry.spi.storage.FileInfo;
import dev.berth.registry.spi.storage.InvalidOffsetException;
import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.PathNotFoundException;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The checks of a driver's own operations, one group of {@link StorageDriverKit}: a driver author extends the kit,
 * which runs this group with the others on the driver its {@code createDriver()} returns. It stands on
 * {@link StorageDriverFixture} (a fresh driver, a private prefix, the check that nothing is left behind).
 *
 * <p>Decisions this kit makes where the SPI's Javadoc leaves room (they follow from "a path is a directory while
 * some object lies under it"):
 * <ul>
 *   <li>directories are implicit: once the last object under a directory is deleted or moved away, {@code stat} and
 *       {@code list} of that directory throw {@link PathNotFoundException} and its parent no longer lists it;</li>
 *   <li>{@code list} of an object (not a directory) and any read below an object ({@code /a/b} when {@code /a} is
 *       an object) throw {@link PathNotFoundException};</li>
 *   <li>{@link PathNotFoundException#path()} is the storage path that was asked for, never a host path;</li>
 *   <li>reading a directory as an object fails with an {@link IOException} (which one is up to the driver);</li>
 *   <li>a writer committed without any write leaves an empty object.</li>
 * </ul>
 *
 * <p>The kit is deterministic (data comes from seeded generators) and takes a few seconds per driver.
 */
public abstract class StorageDriverContract extends StorageDriverFixture {

    // ---------------------------------------------------------------------------------------------------------------
    // putContent / getContent

    @Test
    public void putContentAndGetContentRoundTripAnEmptyObject() throws Exception {
        assertRoundTrip(new byte[0]);
    }

    @Test
    public void putContentAndGetContentRoundTripOneByte() throws Exception {
        assertRoundTrip(new byte[] {42});
    }

    @Test
    public void putContentAndGetContentRoundTripEveryByteValue() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertRoundTrip(all);
    }

    @Test
    public void putContentAndGetContentRoundTripUnicodeText() throws Exception {
        assertRoundTrip("Grüße, 世界! 🚢 ∑ é\u0000\r\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void putContentAndGetContentRoundTripOneMebibyteOfRandomBytes() throws Exception {
        assertRoundTrip(randomBytes(1 << 20, 0));
    }

    /** Several MiB and an odd size: drivers read and write big objects in slices, and the slices must add up. */
    @Test
    public void putContentAndGetContentRoundTripSeveralMebibytes() throws Exception {
        assertRoundTrip(randomBytes((5 << 20) + 3, 0));
    }

    @Test
    public void putContentReplacesExistingContent() throws Exception {
        String p = path("/replaced");
        driver().putContent(p, randomBytes(10_000, 0));
        byte[] shorter = randomBytes(10, 1);
        driver().putContent(p, shorter);
        assertThat(driver().getContent(p)).as("a shorter object replacing a longer one").isEqualTo(shorter);
        assertThat(driver().stat(p).size()).isEqualTo(10);
        byte[] longer = randomBytes(20_000, 2);
        driver().putContent(p, longer);
        assertThat(driver().getContent(p)).isEqualTo(longer);
    }

    @Test
    public void putContentCreatesTheParentDirectories() throws Exception {
        driver().putContent(path("/a/b/c/object"), new byte[] {1});
        assertThat(driver().stat(path("/a")).isDirectory()).isTrue();
        assertThat(driver().stat(path("/a/b/c")).isDirectory()).isTrue();
        assertThat(driver().list(path("/a/b"))).containsExactly(path("/a/b/c"));
    }

    @Test
    public void getContentOfAMissingPathThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().getContent(path("/missing")), path("/missing"));
        driver().putContent(path("/dir/present"), new byte[] {1});
        assertNotFound(() -> driver().getContent(path("/dir/absent")), path("/dir/absent"));
        assertNotFound(() -> driver().getContent(path("/nodir/absent")), path("/nodir/absent"));
    }

    /** An object is not a directory: nothing is found below it (a file system answers "not a directory"). */
    @Test
    public void readsBelowAnObjectThrowPathNotFound() throws Exception {
        driver().putContent(path("/object"), new byte[] {1, 2, 3});
        String below = path("/object/child");
        assertNotFound(() -> driver().getContent(below), below);
        assertNotFound(() -> driver().reader(below, 0), below);
        assertNotFound(() -> driver().stat(below), below);
        assertNotFound(() -> driver().list(below), below);
        assertNotFound(() -> driver().list(path("/object")), path("/object"));
        assertNotFound(() -> driver().delete(below), below);
    }

    @Test
    public void getContentOfADirectoryFails() throws Exception {
        driver().putContent(path("/dir/object"), new byte[] {1});
        assertThatThrownBy(() -> driver().getContent(path("/dir"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> {
            try (InputStream in = driver().reader(path("/dir"), 0)) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class);
    }

    /** The path in {@link PathNotFoundException} is the storage path asked for (never, say, a host file name). */
    @Test
    public void pathNotFoundReportsTheStoragePath() throws Exception {
        String missing = path("/some/missing/object");
        for (StorageDriver d : List.of(driver(), rawDriver())) {
            assertThatThrownBy(() -> d.getContent(missing)).isInstanceOfSatisfying(PathNotFoundException.class,
                    e -> assertThat(e.path()).isEqualTo(missing));
            assertThatThrownBy(() -> d.stat(missing)).isInstanceOfSatisfying(PathNotFoundException.class,
                    e -> assertThat(e.path()).isEqualTo(missing));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // large objects

    /** 32 MiB in chunks of assorted sizes, checked by digest so it is never held in memory whole. */
    @Test
    public void aLargeObjectStreamedThroughAWriterReadsBackIdentically() throws Exception {
        String p = path("/large");
        long total = 32L << 20;
        Random sizes = random(0);
        Random data = random(1);
        MessageDigest written = sha256();
        byte[] chunk = new byte[3 << 20];
        long size = 0;
        try (StorageWriter w = driver().writer(p, false)) {
            while (size < total) {
                int n = (int) Math.min(total - size, switch (sizes.nextInt(4)) {
                    case 0 -> 1 + sizes.nextInt(100);
                    case 1 -> 1 + sizes.nextInt(70_000);
                    case 2 -> 1 + sizes.nextInt(1 << 20);
                    default -> 1 + sizes.nextInt(chunk.length);
                });
                fill(data, chunk, n);
                written.update(chunk, 0, n);
                w.write(chunk, 0, n);
                size += n;
                assertThat(w.size()).isEqualTo(size);
            }
            w.commit();
        }
        assertThat(driver().stat(p).size()).isEqualTo(total);

        MessageDigest read = sha256();
        long copied;
        try (InputStream in = driver().reader(p, 0);
                OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), read)) {
            copied = in.transferTo(out);
        }
        assertThat(copied).isEqualTo(total);
        assertThat(read.digest()).as("SHA-256 of what was read").isEqualTo(written.digest());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // reader

    @Test
    public void readerFromOffsetZeroReadsEverything() throws Exception {
        byte[] content = randomBytes(100_000, 0);
        driver().putContent(path("/r"), content);
        assertThat(readAll(path("/r"), 0)).isEqualTo(content);
    }

    @Test
    public void readerFromAMiddleOffsetReadsTheRest() throws Exception {
        byte[] content = randomBytes(100_000, 0);
        driver().putContent(path("/r"), content);
        for (int offset : new int[] {1, 4095, 4096, 50_000, 99_999}) {
            assertThat(readAll(path("/r"), offset)).as("from offset %d", offset)
                    .isEqualTo(Arrays.copyOfRange(content, offset, content.length));
        }
    }

    @Test
    public void readerAtExactlyTheSizeIsEmpty() throws Exception {
        driver().putContent(path("/r"), randomBytes(1000, 0));
        assertThat(readAll(path("/r"), 1000)).isEmpty();
        driver().putContent(path("/empty"), new byte[0]);
        assertThat(readAll(path("/empty"), 0)).isEmpty();
    }

    @Test
    public void readerPastTheSizeThrowsInvalidOffset() throws Exception {
        driver().putContent(path("/r"), randomBytes(1000, 0));
        for (long offset : new long[] {1001, 1 << 20, Long.MAX_VALUE}) {
            assertThatThrownBy(() -> driver().reader(path("/r"), offset).close()).as("offset %d", offset)
                    .isInstanceOfSatisfying(InvalidOffsetException.class,
                            e -> assertThat(e.offset()).isEqualTo(offset));
        }
        driver().putContent(path("/empty"), new byte[0]);
        assertThatThrownBy(() -> driver().reader(path("/empty"), 1).close()).isInstanceOf(InvalidOffsetException.class);
    }

    /** The wrapper refuses a negative offset; the raw driver must too, since it may be called by other code. */
    @Test
    public void readerRejectsANegativeOffset() throws Exception {
        driver().putContent(path("/r"), randomBytes(10, 0));
        assertThatThrownBy(() -> driver().reader(path("/r"), -1).close()).isInstanceOf(InvalidOffsetException.class);
        assertThatThrownBy(() -> rawDriver().reader(path("/r"), -1).close()).as("raw driver")
                .isInstanceOf(InvalidOffsetException.class);
    }

    @Test
    public void readerOfAMissingPathThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().reader(path("/missing"), 0), path("/missing"));
        assertNotFound(() -> driver().reader(path("/missing"), 10), path("/missing"));
    }

    @Test
    public void readerSupportsSingleByteReadsAndSkip() throws Exception {
        byte[] content = randomBytes(300, 0);
        driver().putContent(path("/r"), content);
        try (InputStream in = driver().reader(path("/r"), 0)) {
            assertThat(in.read()).isEqualTo(content[0] & 0xff);
            assertThat(in.skip(99)).isEqualTo(99);
            assertThat(in.read()).isEqualTo(content[100] & 0xff);
            byte[] rest = in.readAllBytes();
            assertThat(rest).isEqualTo(Arrays.copyOfRange(content, 101, 300));
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writer

    @Test
    public void aWriterFedManyChunksThenCommittedStoresEverything() throws Exception {
        String p = path("/w/chunks");
        Random r = random(0);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (StorageWriter w = driver().writer(p, false)) {
            for (int i = 0; i < 1000; i++) {
                byte[] chunk = new byte[r.nextInt(3000)]; // zero-length writes included
                r.nextBytes(chunk);
                int offset = chunk.length == 0 ? 0 : r.nextInt(chunk.length);
                w.write(chunk, offset, chunk.length - offset);
                expected.write(chunk, offset, chunk.length - offset);
            }
            w.commit();
        }
        assertThat(driver().getContent(p)).isEqualTo(expected.toByteArray());
        assertThat(driver().stat(p).size()).isEqualTo(expected.size());
        assertThat(driver().stat(p).isDirectory()).isFalse();
    }

    @Test
    public void writerSizeTracksWhatWasWritten() throws Exception {
        String p = path("/w/size");
        try (StorageWriter w = driver().writer(p, false)) {
            assertThat(w.size()).isZero();
            w.write(new byte[10], 0, 10);
            assertThat(w.size()).isEqualTo(10);
            w.write(new byte[100_000], 5, 70_000);
            assertThat(w.size()).isEqualTo(70_010);
            w.write(new byte[1], 0, 0);
            assertThat(w.size()).isEqualTo(70_010);
            w.commit();
            assertThat(w.size()).isEqualTo(70_010);
        }
    }

    /** Close keeps the bytes; an appending writer resumes after them, as a chunked upload does across requests. */
    @Test
    public void aClosedWriterCanBeResumedWithAppend() throws Exception {
        String p = path("/uploads/u1/data");
        byte[] a = randomBytes(1000, 0);
        byte[] b = randomBytes(70_000, 1);
        byte[] c = randomBytes(5, 2);
        try (StorageWriter w = driver().writer(p, false)) {
            w.write(a, 0, a.length);
        }
        try (StorageWriter w = driver().writer(p, true)) {
            assertThat(w.size()).as("size of a resumed writer").isEqualTo(a.length);
            w.write(b, 0, b.length);
            assertThat(w.size()).isEqualTo(a.length + b.length);
        }
        try (StorageWriter w = driver().writer(p, true)) {
            assertThat(w.size()).isEqualTo(a.length + b.length);
            w.write(c, 0, c.length);
            w.commit();
        }
        assertThat(driver().getContent(p)).isEqualTo(concat(a, b, c));
        assertThat(driver().stat(p).size()).isEqualTo(a.length + b.length + c.length);
    }

    @Test
    public void appendingToAMissingPathThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().writer(path("/missing"), true), path("/missing"));
        assertThatThrownBy(() -> driver().stat(path("/missing"))).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    public void aWriterWithoutAppendTruncatesExistingContent() throws Exception {
        String p = path("/w/truncate");
        driver().putContent(p, randomBytes(100_000, 0));
        try (StorageWriter w = driver().writer(p, false)) {
            assertThat(w.size()).isZero();
            w.write(new byte[] {1, 2, 3}, 0, 3);
            w.commit();
        }
        assertThat(driver().getContent(p)).containsExactly(1, 2, 3);
    }

    @Test
    public void aWriterCommittedWithoutWritesLeavesAnEmptyObject() throws Exception {
        String p = path("/w/empty");
        try (StorageWriter w = driver().writer(p, false)) {
            w.commit();
        }
        assertThat(driver().getContent(p)).isEmpty();
        assertThat(driver().stat(p).size()).isZero();
    }

    @Test
    public void cancelDiscardsTheObject() throws Exception {
        String p = path("/w/cancelled");
        try (StorageWriter w = driver().writer(p, false)) {
            w.write(new byte[1000], 0, 1000);
            w.cancel();
        }
        assertNotFound(() -> driver().stat(p), p);
        assertNotFound(() -> driver().getContent(p), p);
    }

    @Test
    public void cancelDiscardsWhatEarlierWritersKept() throws Exception {
        String p = path("/w/cancelled");
        driver().putContent(path("/w/other"), new byte[] {1});
        try (StorageWriter w = driver().writer(p, false)) {
            w.write(new byte[1000], 0, 1000);
        }
        try (StorageWriter w = driver().writer(p, true)) {
            w.write(new byte[10], 0, 10);
            w.cancel();
        }
        assertNotFound(() -> driver().stat(p), p);
        assertThat(driver().list(path("/w"))).containsExactly(path("/w/other"));
    }

    /**
     * A rollback is optional. When offered, it drops exactly this writer's bytes, those still buffered and those
     * already sent (past a multipart part on S3): the object holds what earlier writers kept, and the next appending
     * writer continues after it. A driver that does not offer it says so before it changes anything, and the writer
     * can still be cancelled, which is what the registry then does.
     */
    @Test
    public void rollbackDropsThisWritersBytesAndKeepsWhatEarlierWritersKept() throws Exception {
        String p = path("/uploads/u1/data");
        byte[] a = randomBytes(1000, 0);
        byte[] b = randomBytes((5 << 20) + 1000, 1);
        byte[] c = randomBytes(70_000, 2);
        try (StorageWriter w = driver().writer(p, false)) {
            w.write(a, 0, a.length);
        }
        StorageWriter w = driver().writer(p, true);
        w.write(b, 0, b.length);
        try {
            w.rollback();
        } catch (UnsupportedOperationException notOffered) {
            w.cancel();
            assertNotFound(() -> driver().stat(p), p);
            return;
        }
        assertThat(driver().getContent(p)).as("after the rollback").isEqualTo(a);
        assertThat(driver().stat(p).size()).isEqualTo(a.length);
        assertThatThrownBy(() -> w.write(c, 0, c.length)).as("writing after a rollback").isInstanceOf(IOException.class);
        w.close(); // harmless
        try (StorageWriter next = driver().writer(p, true)) {
            assertThat(next.size()).as("size of the writer after a rollback").isEqualTo(a.length);
            next.write(c, 0, c.length);
            next.commit();
        }
        assertThat(driver().getContent(p)).isEqualTo(concat(a, c));
    }

    /** Rolled back, a writer of new content leaves an empty object, as one that wrote nothing and closed. */
    @Test
    public void rollbackOfANewWriterLeavesAnEmptyObject() throws Exception {
        String p = path("/w/rolled-back");
        driver().putContent(p, randomBytes(10_000, 0));
        StorageWriter w = driver().writer(p, false);
        w.write(new byte[1000], 0, 1000);
        try {
            w.rollback();
        } catch (UnsupportedOperationException notOffered) {
            w.cancel();
            return;
        }
        assertThat(driver().getContent(p)).isEmpty();
        assertThat(driver().stat(p).size()).isZero();
    }

    @Test
    public void purgingIncompleteWritesLeavesObjectsAndYoungWritersAlone() throws Exception {
        String kept = path("/w/kept");
        String live = path("/w/live");
        driver().putContent(kept, new byte[] {1, 2, 3});
        try (StorageWriter w = driver().writer(live, false)) {
            w.write(new byte[10], 0, 10);
            assertThat(driver().purgeIncompleteWrites(path("/w"), Instant.now().minusSeconds(3600)))
                    .as("leftovers of writers older than an hour").isZero();
            w.commit();
        }
        assertThat(driver().purgeIncompleteWrites(path("/nothing-here"), Instant.now()))
                .as("below a path that holds nothing").isZero();
        assertThat(driver().getContent(kept)).containsExactly(1, 2, 3);
        assertThat(driver().getContent(live)).hasSize(10);
    }

    @Test
    public void writingAfterCommitFails() throws Exception {
        StorageWriter w = driver().writer(path("/w/x"), false);
        w.write(new byte[] {1}, 0, 1);
        w.commit();
        assertThatThrownBy(() -> w.write(new byte[] {2}, 0, 1)).isInstanceOf(IOException.class);
        assertThat(driver().getContent(path("/w/x"))).containsExactly(1);
    }

    @Test
    public void writingAfterCancelFails() throws Exception {
        StorageWriter w = driver().writer(path("/w/x"), false);
        w.write(new byte[] {1}, 0, 1);
        w.cancel();
        assertThatThrownBy(() -> w.write(new byte[] {2}, 0, 1)).isInstanceOf(IOException.class);
        assertNotFound(() -> driver().stat(path("/w/x")), path("/w/x"));
    }

    @Test
    public void writingAfterCloseFails() throws Exception {
        StorageWriter w = driver().writer(path("/w/x"), false);
        w.write(new byte[] {1}, 0, 1);
        w.close();
        assertThatThrownBy(() -> w.write(new byte[] {2}, 0, 1)).isInstanceOf(IOException.class);
        w.close(); // twice is harmless
        try (StorageWriter again = driver().writer(path("/w/x"), true)) {
            assertThat(again.size()).isEqualTo(1);
            again.cancel();
        }
    }

    @Test
    public void closeAfterCommitOrCancelIsHarmless() throws Exception {
        StorageWriter committed = driver().writer(path("/w/committed"), false);
        committed.write(new byte[] {7}, 0, 1);
        committed.commit();
        committed.close();
        committed.close();
        assertThat(driver().getContent(path("/w/committed"))).containsExactly(7);

        StorageWriter cancelled = driver().writer(path("/w/cancelled"), false);
        cancelled.write(new byte[] {7}, 0, 1);
        cancelled.cancel();
        cancelled.close();
        assertNotFound(() -> driver().stat(path("/w/cancelled")), path("/w/cancelled"));
    }

    /** Interleaved writes to two objects of one directory from one thread: neither sees the other's bytes. */
    @Test
    public void twoInterleavedWritersInOneDirectoryKeepTheirOwnContent() throws Exception {
        byte[] a = randomBytes(300_000, 0);
        byte[] b = randomBytes(200_000, 1);
        try (StorageWriter wa = driver().writer(path("/dir/a"), false);
                StorageWriter wb = driver().writer(path("/dir/b"), false)) {
            for (int i = 0; i < 300; i++) {
                wa.write(a, i * 1000, 1000);
                if (i < 200) {
                    wb.write(b, i * 1000, 1000);
                }
            }
            wb.commit();
            wa.commit();
        }
        assertThat(driver().getContent(path("/dir/a"))).isEqualTo(a);
        assertThat(driver().getContent(path("/dir/b"))).isEqualTo(b);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // stat

    @Test
    public void statOfAnObjectGivesItsSizeAndIsNotADirectory() throws Exception {
        driver().putContent(path("/s/object"), new byte[1234]);
        FileInfo info = driver().stat(path("/s/object"));
        assertThat(info.path()).isEqualTo(path("/s/object"));
        assertThat(info.size()).isEqualTo(1234);
        assertThat(info.isDirectory()).isFalse();
    }

    @Test
    public void statOfADirectorySaysDirectory() throws Exception {
        driver().putContent(path("/s/dir/object"), new byte[1234]);
        FileInfo info = driver().stat(path("/s/dir"));
        assertThat(info.path()).isEqualTo(path("/s/dir"));
        assertThat(info.isDirectory()).isTrue();
        assertThat(driver().stat(root()).isDirectory()).isTrue();
    }

    @Test
    public void statOfAMissingPathThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().stat(path("/missing")), path("/missing"));
        driver().putContent(path("/s/object"), new byte[1]);
        assertNotFound(() -> driver().stat(path("/s/missing")), path("/s/missing"));
        assertNotFound(() -> driver().stat(path("/s/obj")), path("/s/obj")); // a prefix of a name is not a name
    }

    /** Unknown ({@link Instant#EPOCH}) is allowed; otherwise the time of the write, within {@link #CLOCK_TOLERANCE}. */
    @Test
    public void modTimeIsTheTimeOfTheWriteAndNotInTheFuture() throws Exception {
        Instant before = Instant.now();
        driver().putContent(path("/t/object"), new byte[] {1});
        Instant after = Instant.now();
        for (String p : List.of(path("/t/object"), path("/t"))) {
            Instant modTime = driver().stat(p).modTime();
            if (!modTime.equals(Instant.EPOCH)) {
                assertThat(modTime).as("modTime of %s", p)
                        .isBetween(before.minus(CLOCK_TOLERANCE), after.plus(CLOCK_TOLERANCE));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // list

    @Test
    public void listGivesTheDirectChildrenAsFullPathsEachOnce() throws Exception {
        driver().putContent(path("/l/file"), new byte[] {1});
        driver().putContent(path("/l/dir/one"), new byte[] {1});
        driver().putContent(path("/l/dir/two"), new byte[] {1});
        driver().putContent(path("/l/deep/er/est"), new byte[] {1});
        driver().putContent(path("/l/.hidden-looking"), new byte[] {1});
        assertThat(driver().list(path("/l"))).containsExactlyInAnyOrder(
                path("/l/file"), path("/l/dir"), path("/l/deep"), path("/l/.hidden-looking"));
        assertThat(driver().list(path("/l/dir"))).containsExactlyInAnyOrder(path("/l/dir/one"), path("/l/dir/two"));
        assertThat(driver().list(root())).containsExactly(path("/l"));
    }

    @Test
    public void listOfAMissingDirectoryThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().list(path("/missing")), path("/missing"));
        driver().putContent(path("/l/file"), new byte[] {1});
        assertNotFound(() -> driver().list(path("/l/missing")), path("/l/missing"));
    }

    @Test
    public void listOfTheRootShowsThePrefixOnlyOnceSomethingIsUnderIt() throws Exception {
        assertThat(driver().list("/")).doesNotContain(root());
        driver().putContent(path("/x"), new byte[] {1});
        List<String> top = driver().list("/");
        assertThat(top).containsOnlyOnce(root());
        assertThat(top).allSatisfy(p -> {
            assertThat(p.lastIndexOf('/')).as("%s is a child of the root", p).isZero();
            // the registry's wrapper takes it: a valid path (one gone since the listing is fine, in a shared store)
            assertThatCode(() -> {
                try {
                    driver().stat(p);
                } catch (PathNotFoundException goneMeanwhile) {
                    // still a valid path
                }
            }).as("%s is a valid path", p).doesNotThrowAnyException();
        });
    }

    /** Enough entries to cross the page size of stores that list in pages (S3 gives 1,000 keys a page). */
    @Test
    public void listGivesAllOfManyChildren() throws Exception {
        int count = 1_100;
        Set<String> expected = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        runConcurrently(8, thread -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                String p = path(String.format("/many/child-%04d", i));
                if (i % 10 == 0) {
                    p = p + "-dir";
                    driver().putContent(p + "/object", new byte[0]);
                } else {
                    driver().putContent(p, new byte[] {(byte) i});
                }
                expected.add(p);
            }
        });
        List<String> listed = driver().list(path("/many"));
        assertThat(listed).hasSize(count).doesNotHaveDuplicates();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    public void listKeepsNamesThatArePrefixesOfOthersApart() throws Exception {
        driver().putContent(path("/p/tag"), new byte[] {1});
        driver().putContent(path("/p/tag-2"), new byte[] {2});
        driver().putContent(path("/p/a/x"), new byte[] {3});
        driver().putContent(path("/p/ab/y"), new byte[] {4});
        driver().putContent(path("/p/a-b/z"), new byte[] {5});
        assertThat(driver().list(path("/p"))).containsExactlyInAnyOrder(
                path("/p/tag"), path("/p/tag-2"), path("/p/a"), path("/p/ab"), path("/p/a-b"));
        assertThat(driver().list(path("/p/a"))).containsExactly(path("/p/a/x"));
        assertThat(driver().list(path("/p/ab"))).containsExactly(path("/p/ab/y"));
        assertThat(driver().getContent(path("/p/tag"))).containsExactly(1);
        assertThat(driver().stat(path("/p/tag")).isDirectory()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // move

    @Test
    public void moveMovesTheContentAndRemovesTheSource() throws Exception {
        byte[] content = randomBytes(50_000, 0);
        driver().putContent(path("/m/src"), content);
        driver().putContent(path("/m/keep"), new byte[] {1});
        driver().move(path("/m/src"), path("/m/dst"));
        assertThat(driver().getContent(path("/m/dst"))).isEqualTo(content);
        assertThat(driver().stat(path("/m/dst")).size()).isEqualTo(content.length);
        assertNotFound(() -> driver().stat(path("/m/src")), path("/m/src"));
        assertThat(driver().list(path("/m"))).containsExactlyInAnyOrder(path("/m/dst"), path("/m/keep"));
    }

    @Test
    public void moveReplacesAnExistingTarget() throws Exception {
        byte[] content = randomBytes(10, 0);
        driver().putContent(path("/m/src"), content);
        driver().putContent(path("/m/dst"), randomBytes(100_000, 1));
        driver().move(path("/m/src"), path("/m/dst"));
        assertThat(driver().getContent(path("/m/dst"))).isEqualTo(content);
        assertNotFound(() -> driver().stat(path("/m/src")), path("/m/src"));
    }

    @Test
    public void moveToANewDeepPathCreatesTheParents() throws Exception {
        byte[] content = randomBytes(1000, 0);
        driver().putContent(path("/m/src"), content);
        driver().move(path("/m/src"), path("/n/e/w/deep/dst"));
        assertThat(driver().getContent(path("/n/e/w/deep/dst"))).isEqualTo(content);
        assertThat(driver().list(path("/n/e/w"))).containsExactly(path("/n/e/w/deep"));
    }

    /** As for delete, the source's directory goes away with its last object. */
    @Test
    public void movingTheLastObjectOutLeavesNoEmptyDirectoryBehind() throws Exception {
        driver().putContent(path("/m/keep"), new byte[] {1});
        driver().putContent(path("/m/uploads/u1/data"), new byte[] {2});
        driver().move(path("/m/uploads/u1/data"), path("/m/blob"));
        assertNotFound(() -> driver().stat(path("/m/uploads/u1")), path("/m/uploads/u1"));
        assertNotFound(() -> driver().stat(path("/m/uploads")), path("/m/uploads"));
        assertThat(driver().list(path("/m"))).containsExactlyInAnyOrder(path("/m/keep"), path("/m/blob"));
    }

    @Test
    public void moveOfAMissingSourceThrowsPathNotFoundAndKeepsTheTarget() throws Exception {
        driver().putContent(path("/m/dst"), new byte[] {9});
        assertNotFound(() -> driver().move(path("/m/missing"), path("/m/dst")), path("/m/missing"));
        assertNotFound(() -> driver().move(path("/nowhere/missing"), path("/m/new")), path("/nowhere/missing"));
        assertThat(driver().getContent(path("/m/dst"))).containsExactly(9);
        assertThat(driver().list(path("/m"))).containsExactly(path("/m/dst"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // delete

    @Test
    public void deleteRemovesAnObject() throws Exception {
        driver().putContent(path("/d/object"), new byte[] {1});
        driver().putContent(path("/d/other"), new byte[] {2});
        driver().delete(path("/d/object"));
        assertNotFound(() -> driver().stat(path("/d/object")), path("/d/object"));
        assertNotFound(() -> driver().getContent(path("/d/object")), path("/d/object"));
        assertThat(driver().list(path("/d"))).containsExactly(path("/d/other"));
    }

    @Test
    public void deleteRemovesADirectoryRecursively() throws Exception {
        List<String> objects = List.of("/d/tree/a", "/d/tree/b/c", "/d/tree/b/d/e", "/d/tree/f/g/h/i");
        for (String o : objects) {
            driver().putContent(path(o), randomBytes(100, o.length()));
        }
        driver().putContent(path("/d/kept"), new byte[] {1});
        driver().delete(path("/d/tree"));
        for (String o : objects) {
            assertNotFound(() -> driver().stat(path(o)), path(o));
        }
        assertNotFound(() -> driver().stat(path("/d/tree")), path("/d/tree"));
        assertThat(driver().list(path("/d"))).containsExactly(path("/d/kept"));
    }

    @Test
    public void deleteSparesSiblingsWhoseNamesShareItsPrefix() throws Exception {
        List<String> spared = List.of("/d/ab", "/d/a-b", "/d/a.b", "/d/a_/x", "/d/ab2/y/z");
        for (String s : spared) {
            driver().putContent(path(s), s.getBytes(StandardCharsets.UTF_8));
        }
        driver().putContent(path("/d/a/inside"), new byte[] {1});
        driver().putContent(path("/d/a/deeper/inside"), new byte[] {1});
        driver().delete(path("/d/a"));
        for (String s : spared) {
            assertThat(driver().getContent(path(s))).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(driver().list(path("/d"))).containsExactlyInAnyOrder(
                path("/d/ab"), path("/d/a-b"), path("/d/a.b"), path("/d/a_"), path("/d/ab2"));

        driver().putContent(path("/e/tag"), new byte[] {1});
        driver().putContent(path("/e/tag-2"), new byte[] {2});
        driver().delete(path("/e/tag"));
        assertThat(driver().list(path("/e"))).containsExactly(path("/e/tag-2"));
    }

    @Test
    public void deleteOfAMissingPathThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().delete(path("/missing")), path("/missing"));
        driver().putContent(path("/d/object"), new byte[] {1});
        assertNotFound(() -> driver().delete(path("/d/missing")), path("/d/missing"));
        assertNotFound(() -> driver().delete(path("/d/obj")), path("/d/obj"));
        assertThat(driver().getContent(path("/d/object"))).containsExactly(1);
    }

    /**
     * Directories are implicit (a path is a directory while some object lies under it), so deleting the last object
     * of a directory takes the directory, and every parent left empty, with it: {@code stat} and {@code list} throw
     * {@link PathNotFoundException} for them and their parent no longer lists them. This is stricter than
     * distribution's suite, which only requires the deleted path itself to be gone; it keeps {@code list} honest (an
     * emptied repository does not linger in the catalog).
     */
    @Test
    public void deletingTheLastObjectLeavesNoEmptyDirectoryBehind() throws Exception {
        driver().putContent(path("/keep"), new byte[] {1});
        driver().putContent(path("/x/y/z/object"), new byte[] {1});
        driver().delete(path("/x/y/z/object"));
        for (String dir : List.of("/x/y/z", "/x/y", "/x")) {
            assertNotFound(() -> driver().stat(path(dir)), path(dir));
            assertNotFound(() -> driver().list(path(dir)), path(dir));
        }
        assertThat(driver().list(root())).containsExactly(path("/keep"));

        driver().putContent(path("/x/y/z/object"), new byte[] {2}); // and the path can be used again
        assertThat(driver().getContent(path("/x/y/z/object"))).containsExactly(2);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // walk

    @Test
    public void walkVisitsEveryObjectUnderThePathExactlyOnce() throws Exception {
        List<String> inside = List.of("/w/a", "/w/b/c", "/w/b/d", "/w/e/f/g/h", "/w/e/f/i");
        for (String o : inside) {
            driver().putContent(path(o), randomBytes(o.length(), 0));
        }
        driver().putContent(path("/wx/not-inside"), new byte[] {1});
        driver().putContent(path("/w-2/not-inside"), new byte[] {1});

        List<FileInfo> visited = new ArrayList<>();
        driver().walk(path("/w"), visited::add);
        assertThat(visited).extracting(FileInfo::path)
                .containsExactlyInAnyOrderElementsOf(inside.stream().map(this::path).toList());
        assertThat(visited).allSatisfy(f -> {
            assertThat(f.isDirectory()).as("%s is a directory", f.path()).isFalse();
            assertThat(f.size()).as("size of %s", f.path()).isEqualTo(f.path().length() - root().length());
        });

        List<String> sub = new ArrayList<>();
        driver().walk(path("/w/e"), f -> sub.add(f.path()));
        assertThat(sub).containsExactlyInAnyOrder(path("/w/e/f/g/h"), path("/w/e/f/i"));
    }

    @Test
    public void walkOfAMissingPathThrowsPathNotFound() throws Exception {
        assertNotFound(() -> driver().walk(path("/missing"), f -> fail("visited " + f)), path("/missing"));
    }

    @Test
    public void walkPassesTheVisitorsFailureOn() throws Exception {
        driver().putContent(path("/w/a"), new byte[] {1});
        IOException failure = new IOException("visitor says no");
        assertThatThrownBy(() -> driver().walk(path("/w"), f -> {
            throw failure;
        })).isInstanceOf(IOException.class).satisfies(e -> assertThat(causes(e)).contains(failure));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // invalid paths

    @Test
    public void relativePathsAreRejectedAndCreateNothing() throws Exception {
        assertRejectedEverywhere("a/b", "testkit", root().substring(1) + "/x", "", " /x");
    }

    @Test
    public void emptyPathComponentsAreRejectedAndCreateNothing() throws Exception {
        assertRejectedEverywhere(path("/a//b"), "//x", path("//"), root() + "/");
    }

    @Test
    public void dotAndDotDotComponentsAreRejectedAndCreateNothing() throws Exception {
        assertRejectedEverywhere(path("/a/../b"), path("/a/./b"), "/../etc/passwd", path("/.."), path("/."),
                "/..", "/.", path("/a/.."));
    }

    @Test
    public void aTrailingSlashIsRejectedAndCreatesNothing() throws Exception {
        assertRejectedEverywhere(path("/a/"), path("/a/b/"));
    }

    @Test
    public void charactersOutsideThePathAlphabetAreRejectedAndCreateNothing() throws Exception {
        assertRejectedEverywhere(path("/a b"), path("/a%2Fb"), path("/a%00"), path("/a\\b"), path("/a\u0000b"),
                path("/ä"), path("/a:b"), path("/a*b"), path("/a\nb"), path("/a~"), path("/a+b"), path("/\u2024"));
    }

    @Test
    public void overlongAndNullPathsAreRejectedAndCreateNothing() throws Exception {
        assertRejectedEverywhere(path("/" + "a".repeat(StorageDriver.MAX_PATH_LENGTH)), null);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // concurrency

    /**
     * Threads write, read, move and delete their own objects at once, next to each other in one shared directory and
     * in deep directories of their own that come and go, which is where directory creation races directory removal.
     */
    @Test
    public void threadsWorkingOnTheirOwnPathsDoNotDisturbEachOther() throws Exception {
        String shared = path("/shared");
        driver().putContent(path("/anchor"), new byte[] {1});
        runConcurrently(8, thread -> {
            Random r = random(thread);
            for (int i = 0; i < 20; i++) {
                String flat = shared + "/t" + thread + "-" + i;
                String deep = shared + "/t" + thread + "/n" + i + "/obj";
                byte[] small = new byte[r.nextInt(5000)];
                r.nextBytes(small);
                driver().putContent(flat, small);
                assertThat(driver().getContent(flat)).isEqualTo(small);

                byte[] big = new byte[50_000 + r.nextInt(100_000)];
                r.nextBytes(big);
                try (StorageWriter w = driver().writer(deep, false)) {
                    for (int off = 0; off < big.length; off += 7000) {
                        w.write(big, off, Math.min(7000, big.length - off));
                    }
                    w.commit();
                }
                try (InputStream in = driver().reader(deep, 1000)) {
                    assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(big, 1000, big.length));
                }
                String moved = shared + "/t" + thread + "/m" + i + "/obj";
                driver().move(deep, moved);
                assertThat(driver().stat(moved).size()).isEqualTo(big.length);

                driver().delete(flat);
                assertNotFound(() -> driver().stat(flat), flat);
                driver().delete(shared + "/t" + thread + "/m" + i);
                assertNotFound(() -> driver().getContent(moved), moved);
            }
        });
        assertNotFound(() -> driver().list(shared), shared);
        assertThat(driver().list(root())).containsExactly(path("/anchor"));
    }

    /** putContent replaces atomically: readers racing it see one whole version or the other, never a mix. */
    @Test
    public void concurrentReadersSeeTheOldOrTheNewContentNeverAMix() throws Exception {
        String p = path("/contended");
        driver().putContent(p, version(0));
        int readers = 4;
        CountDownLatch readersStarted = new CountDownLatch(readers);
        AtomicBoolean done = new AtomicBoolean();
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        runConcurrently(readers + 1, thread -> {
            if (thread == 0) {
                try {
                    // replace only while every reader is reading, or a fast driver could finish before they start
                    assertThat(readersStarted.await(30, TimeUnit.SECONDS)).as("readers started").isTrue();
                    for (int v = 1; v <= 40; v++) {
                        driver().putContent(p, version(v));
                    }
                } finally {
                    done.set(true);
                }
                return;
            }
            for (int i = 0; i < 20_000 && (i == 0 || !done.get()); i++) {
                byte[] read;
                if (i % 2 == 0) {
                    read = driver().getContent(p);
                } else {
                    try (InputStream in = driver().reader(p, 0)) {
                        read = in.readAllBytes();
                    }
                }
                seen.add(assertWholeVersion(read));
                if (i == 0) {
                    readersStarted.countDown();
                }
            }
        });
        assertThat(driver().getContent(p)).isEqualTo(version(40));
        assertThat(seen).isNotEmpty();
    }

    @Test
    public void twoWritersOfDifferentObjectsInOneDirectoryRunInParallel() throws Exception {
        byte[][] contents = {randomBytes(2 << 20, 0), randomBytes(3 << 20, 1)};
        CyclicBarrier together = new CyclicBarrier(2);
        runConcurrently(2, thread -> {
            byte[] c = contents[thread];
            try (StorageWriter w = driver().writer(path("/parallel/w" + thread), false)) {
                together.await(CONCURRENCY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                for (int off = 0; off < c.length; off += 4099) {
                    w.write(c, off, Math.min(4099, c.length - off));
                }
                together.await(CONCURRENCY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                w.commit();
            }
        });
        assertThat(driver().getContent(path("/parallel/w0"))).isEqualTo(contents[0]);
        assertThat(driver().getContent(path("/parallel/w1"))).isEqualTo(contents[1]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // errors, name, redirect

    @Test
    public void failuresThroughTheWrapperNameTheDriver() throws Exception {
        String name = rawDriver().name();
        String missing = path("/missing");
        driver().putContent(path("/present"), new byte[] {1});
        List<ThrowingCallable> failures = List.of(
                () -> driver().getContent(missing),
                () -> driver().reader(missing, 0),
                () -> driver().writer(missing, true),
                () -> driver().stat(missing),
                () -> driver().list(missing),
                () -> driver().move(missing, path("/elsewhere")),
                () -> driver().delete(missing),
                () -> driver().walk(missing, f -> { }),
                () -> {
                    StorageWriter w = driver().writer(path("/w"), false);
                    w.commit();
                    w.write(new byte[1], 0, 1);
                });
        SoftAssertions soft = new SoftAssertions();
        for (ThrowingCallable failure : failures) {
            soft.assertThatThrownBy(failure).isInstanceOf(IOException.class).hasMessageContaining(name);
        }
        soft.assertAll();
    }

    @Test
    public void theDriverHasAShortName() {
        assertThat(rawDriver().name()).isNotBlank().doesNotContainAnyWhitespaces();
        assertThat(driver().name()).isEqualTo(rawDriver().name());
    }

    /**
     * Redirects are optional: empty is fine. A URL given is absolute, and fetching it (as a client sent there would)
     * gives exactly the object's bytes.
     */
    @Test
    public void redirectUrlOfAnExistingObjectServesItsBytesWhenOffered() throws Exception {
        byte[] content = randomBytes(70_000, 0);
        driver().putContent(path("/r"), content);
        Optional<URI> url = driver().redirectUrl(path("/r"), Duration.ofMinutes(5));
        assertThat(url).isNotNull();
        if (url.isEmpty()) {
            return; // the driver does not redirect: nothing more to hold it to
        }
        URI u = url.get();
        assertThat(u.isAbsolute()).as("%s is absolute", u).isTrue();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<byte[]> fetched = client.send(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(30)).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).as("status of GET %s", u).isEqualTo(200);
        assertThat(Arrays.mismatch(fetched.body(), content)).as("first byte of GET %s that differs from the object", u)
                .isEqualTo(-1);
    }

    /**
     * A file channel is optional; when offered, it holds exactly the bytes a reader sees, and a missing object is
     * not found, as everywhere.
     */
    @Test
    public void aFileChannelWhenOfferedHoldsTheObjectsBytes() throws Exception {
        byte[] content = new byte[100_000];
        new Random(7).nextBytes(content);
        driver().putContent(path("/f"), content);
        Optional<FileChannel> channel = driver().fileChannel(path("/f"));
        assertThat(channel).isNotNull();
        if (channel.isEmpty()) {
            return; // not a local filesystem: nothing more to hold it to
        }
        try (FileChannel ch = channel.get()) {
            assertThat(ch.size()).isEqualTo(content.length);
            ByteBuffer all = ByteBuffer.allocate(content.length);
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // positional reads to the end
            }
            assertThat(all.array()).isEqualTo(content);
        }
        assertThatThrownBy(() -> driver().fileChannel(path("/absent"))).isInstanceOf(PathNotFoundException.class);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // health

    /**
     * A healthy driver passes its own health check, with and without the write check, on a store with and without
     * content, and whatever the check writes to prove that the storage takes writes is gone and was never listed.
     * (That the check really reaches the storage is the driver's own test to make: stop the storage and see it fail.)
     */
    @Test
    public void aHealthyDriverPassesItsHealthCheckAndLeavesNothingBehind() throws Exception {
        Set<String> before = new HashSet<>(driver().list("/"));
        driver().checkHealth(false);
        driver().checkHealth(true);
        List<String> added = new ArrayList<>(driver().list("/"));
        added.removeAll(before);
        added.removeIf(p -> p.startsWith("/testkit-")); // other runs of the kit sharing the storage
        assertThat(added).as("what list(\"/\") shows after the health checks and did not before").isEmpty();

        driver().putContent(path("/h/object"), new byte[] {1});
        driver().checkHealth(true);
        driver().checkHealth(false);
        assertThat(driver().list(path("/h"))).containsExactly(path("/h/object"));
        List<String> walked = new ArrayList<>();
        driver().walk(root(), f -> walked.add(f.path()));
        assertThat(walked).containsExactly(path("/h/object"));
    }

    private void assertRoundTrip(byte[] content) throws Exception {
        String p = path("/round/trip");
        driver().putContent(p, content);
        assertThat(driver().getContent(p)).isEqualTo(content);
        assertThat(readAll(p, 0)).isEqualTo(content);
        FileInfo info = driver().stat(p);
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.isDirectory()).isFalse();
    }

    /** Every invalid path is refused by every operation, and nothing is created anywhere. */
    private void assertRejectedEverywhere(String... paths) throws Exception {
        String source = path("/source");
        driver().putContent(source, new byte[] {1});
        List<String> before = driver().list("/");
        SoftAssertions soft = new SoftAssertions();
        for (String p : paths) {
            String shown = p == null ? "null" : p.replace("\u0000", "\\0").replace("\n", "\\n");
            List<ThrowingCallable> operations = List.of(
                    () -> driver().getContent(p),
                    () -> driver().putContent(p, new byte[] {1}),
                    () -> driver().reader(p, 0).close(),
                    () -> driver().writer(p, false).cancel(),
                    () -> driver().writer(p, true).cancel(),
                    () -> driver().stat(p),
                    () -> driver().list(p),
                    () -> driver().move(p, path("/target")),
                    () -> driver().move(source, p),
                    () -> driver().delete(p),
                    () -> driver().walk(p, f -> { }),
                    () -> driver().redirectUrl(p, Duration.ofMinutes(1)));
            for (int i = 0; i < operations.size(); i++) {
                soft.assertThatThrownBy(operations.get(i)).as("operation %d on '%s'", i, shown)
                        .isInstanceOf(InvalidPathException.class);
            }
        }
        soft.assertAll();
        assertThat(driver().list("/")).as("list(\"/\") after the invalid paths").isEqualTo(before);
        assertThat(driver().list(root())).as("list of the test's prefix").containsExactly(source);
        assertThat(driver().getContent(source)).containsExactly(1);
    }

    private static void fill(Random r, byte[] buffer, int n) {
        for (int i = 0; i < n; ) {
            for (int rnd = r.nextInt(), k = Math.min(n - i, 4); k-- > 0; rnd >>= 8) {
                buffer[i++] = (byte) rnd;
            }
        }
    }

    /** Version {@code v} of the contended object: its length and every byte say which version it is. */
    private static byte[] version(int v) {
        byte[] content = new byte[100_000 + v * 1000];
        Arrays.fill(content, (byte) v);
        return content;
    }

    private static int assertWholeVersion(byte[] read) {
        assertThat(read).as("an object read while it was replaced").isNotEmpty();
        int v = read[0];
        assertThat(read.length).as("length of version %d", v).isEqualTo(100_000 + v * 1000);
        for (int i = 0; i < read.length; i++) {
            if (read[i] != v) {
                fail("byte %d is from version %d, byte 0 from version %d: a mix of two versions", i, read[i], v);
            }
        }
        return v;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
