package dev.berth.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A thundering herd: P connections that all {@code GET} the same blob at once and read it as fast as they can, on
 * one or a few selector threads. Every response's byte count is checked against its Content-Length and the expected
 * size. The same code with P = 1 measures a single client first.
 */
final class HerdScenario {
    private final Target target;
    private final String path;
    private final int threads;

    HerdScenario(Target target, String repo, String blob, int threads) {
        this.target = target;
        this.path = "/v2/" + repo + "/blobs/" + blob;
        this.threads = threads;
    }

    static final class Conn {
        final int index;
        SocketChannel ch;
        SelectionKey key;
        ByteBuffer pending;
        final HttpHead.Accumulator head = new HttpHead.Accumulator();
        HttpHead response;
        long firstByte = -1;
        long end = -1;
        long got;
        long expected = -1;
        String error;
        boolean finished;

        Conn(int index) {
            this.index = index;
        }
    }

    /** The outcome of one herd. */
    static final class Result {
        final int parallel;
        int completed;
        long bytes;
        double wallSeconds;
        final Map<String, Integer> errors = new TreeMap<>();
        long[] firstByte;
        long[] finish;

        Result(int parallel) {
            this.parallel = parallel;
        }

        double mibPerSecond() {
            return bytes / 1048576.0 / wallSeconds;
        }
    }

    /** Pulls the blob on {@code parallel} connections at once; gives up on what is unfinished after the timeout. */
    Result pull(int parallel, long expectedSize, double timeoutSeconds) throws InterruptedException {
        List<Conn> all = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            all.add(new Conn(i));
        }
        int t = Math.max(1, Math.min(threads, parallel));
        long start = System.nanoTime();
        long deadline = start + (long) (timeoutSeconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < t; w++) {
            List<Conn> mine = new ArrayList<>();
            for (int i = w; i < parallel; i += t) {
                mine.add(all.get(i));
            }
            Thread th = new Thread(() -> loop(mine, deadline), "herd-" + w);
            th.start();
            workers.add(th);
        }
        for (Thread th : workers) {
            th.join();
        }
        Result r = new Result(parallel);
        long last = start;
        List<Long> firsts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (Conn c : all) {
            r.bytes += c.got;
            if (c.firstByte > 0) {
                firsts.add(c.firstByte - start);
            }
            if (c.end > 0) {
                last = Math.max(last, c.end);
            }
            boolean ok = c.error == null && c.response != null && c.response.status == 200
                    && (c.expected < 0 || c.got == c.expected) && (expectedSize < 0 || c.got == expectedSize);
            if (ok) {
                r.completed++;
                ends.add(c.end - start);
            } else {
                String why = c.error != null ? c.error
                        : c.response != null && c.response.status != 200 ? "status " + c.response.status
                        : "wrong length";
                r.errors.merge(why, 1, Integer::sum);
            }
        }
        r.wallSeconds = (last - start) / 1e9;
        r.firstByte = firsts.stream().mapToLong(Long::longValue).sorted().toArray();
        r.finish = ends.stream().mapToLong(Long::longValue).sorted().toArray();
        return r;
    }

    private void loop(List<Conn> conns, long deadline) {
        ByteBuffer scratch = ByteBuffer.allocateDirect(256 * 1024);
        try (Selector selector = Selector.open()) {
            int open = 0;
            for (Conn c : conns) {
                try {
                    c.ch = target.connect(target.source(c.index), 0);
                    c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                    open++;
                } catch (IOException e) {
                    fail(c, "connect: " + e.getMessage());
                }
            }
            while (open > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    for (Conn c : conns) {
                        if (!c.finished) {
                            fail(c, "timed out");
                        }
                    }
                    break;
                }
                selector.select(Math.min(left, 1000));
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    boolean wasFinished = c.finished;
                    try {
                        step(c, key, scratch);
                    } catch (IOException e) {
                        fail(c, c.response == null ? "io before the response: " + e.getMessage()
                                : "closed early: " + e.getMessage());
                    }
                    if (!wasFinished && c.finished) {
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            for (Conn c : conns) {
                if (!c.finished) {
                    fail(c, "selector: " + e.getMessage());
                }
            }
        }
    }

    private void step(Conn c, SelectionKey key, ByteBuffer scratch) throws IOException {
        if (!key.isValid() || c.finished) {
            return;
        }
        if (key.isConnectable()) {
            c.ch.finishConnect();
            c.pending = HttpHead.request("GET", path, target.hostHeader);
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        if (key.isWritable()) {
            c.ch.write(c.pending);
            if (!c.pending.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        if (!key.isReadable()) {
            return;
        }
        scratch.clear();
        if (c.response == null) {
            scratch.limit(4096); // the head in small pieces, so it is not copied along with much body
        }
        int n = c.ch.read(scratch);
        if (n < 0) {
            if (c.response != null && c.expected < 0) {
                finish(c); // no Content-Length: the body ends with the connection
                return;
            }
            throw new IOException("closed by the server after " + c.got + " body bytes");
        }
        if (c.firstByte < 0) {
            c.firstByte = System.nanoTime();
        }
        if (c.response == null) {
            scratch.flip();
            c.response = c.head.offer(scratch);
            if (c.response == null) {
                return;
            }
            c.expected = c.response.contentLength();
            c.got = c.head.leftover();
            if (c.response.status != 200) {
                finish(c);
                return;
            }
        } else {
            c.got += n;
        }
        if (c.expected >= 0 && c.got >= c.expected) {
            finish(c);
        }
    }

    private static void finish(Conn c) {
        c.end = System.nanoTime();
        c.finished = true;
        close(c);
    }

    private static void fail(Conn c, String why) {
        if (c.finished) {
            return;
        }
        c.error = why;
        c.end = System.nanoTime();
        c.finished = true;
        close(c);
    }

    private static void close(Conn c) {
        if (c.ch != null) {
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    static String describe(Result r) {
        return String.format(Locale.ROOT,
                "%d/%d complete, %.0f MiB in %s s = %.0f MiB/s; first byte p50 %s ms, max %s ms; done p50 %s ms,"
                        + " max %s ms%s",
                r.completed, r.parallel, r.bytes / 1048576.0, Stats.s(r.wallSeconds), r.mibPerSecond(),
                Stats.ms(Stats.percentileMs(r.firstByte, 50)), Stats.ms(Stats.percentileMs(r.firstByte, 100)),
                Stats.ms(Stats.percentileMs(r.finish, 50)), Stats.ms(Stats.percentileMs(r.finish, 100)),
                r.errors.isEmpty() ? "" : "; failures " + r.errors);
    }
}
