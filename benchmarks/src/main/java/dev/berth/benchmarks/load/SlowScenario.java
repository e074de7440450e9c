package dev.berth.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Slow clients next to a well-behaved one. N readers each {@code GET} a blob and then read it at R bytes/s; M
 * uploaders each {@code POST} for an upload URL and then {@code PATCH} a body of a few MiB at R bytes/s. All of them
 * live on one selector thread; a tick every 100 ms lets each read or write what its rate allows by then. The
 * readers' receive buffers are small, so the server cannot park the blob in the kernel and has to wait for them.
 * After the slow connections are open (the ramp), they are held for D seconds while {@link NormalClient} measures
 * a {@code GET} of a manifest; then everything is closed and the outcome of every connection is printed.
 */
final class SlowScenario {
    private static final long TICK = 100_000_000L;

    enum Kind { READER, UPLOADER }

    /** Where a connection is. The order matters only for printing. */
    enum State {
        CONNECTING("connecting"),
        AWAIT_UPLOAD_URL("waiting for an upload URL"),
        AWAIT_RESPONSE("waiting for a response"),
        STREAMING("reading slowly"),
        SENDING("sending the body slowly"),
        AWAIT_PATCH_RESPONSE("body sent, waiting for the answer"),
        DONE("completed"),
        REFUSED("answered with an error status"),
        CUT("cut by the server"),
        CONNECT_FAILED("connect failed");

        final String label;

        State(String label) {
            this.label = label;
        }

        boolean open() {
            return ordinal() < DONE.ordinal();
        }
    }

    static final class Conn {
        final int index;
        final Kind kind;
        final InetAddress source;
        SocketChannel ch;
        SelectionKey key;
        State state = State.CONNECTING;
        boolean connected;
        ByteBuffer pending; // request bytes still to write
        final HttpHead.Accumulator head = new HttpHead.Accumulator();
        boolean patchHeadersSent;
        boolean inPatch; // the response expected is the PATCH's
        String uploadPath;
        boolean reconnectForPatch;
        long rateStart;
        long bytes; // body bytes read (reader) or sent (uploader)
        long expected = -1;
        int status;
        double cutAt = Double.NaN;
        State cutIn;

        Conn(int index, Kind kind, InetAddress source) {
            this.index = index;
            this.kind = kind;
            this.source = source;
        }
    }

    private final Target target;
    private final String repo;
    private final String blob;
    private final int readers;
    private final int uploaders;
    private final long rate;
    private final double seconds;
    private final long uploadSize;
    private final int receiveBuffer;
    private final int connectRate;
    private final double rampLimit;
    private final NormalClient normal;
    private final double baselineSeconds;
    private final long drainBytes;
    private final double drainSeconds;
    private final List<Conn> conns = new ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer uploadBytes;
    private Selector selector;
    private long t0;

    SlowScenario(Target target, String repo, String blob, int readers, int uploaders, long rate, double seconds,
            long uploadSize, int receiveBuffer, int connectRate, double rampLimit, NormalClient normal,
            double baselineSeconds, long drainBytes, double drainSeconds) {
        this.target = target;
        this.repo = repo;
        this.blob = blob;
        this.readers = readers;
        this.uploaders = uploaders;
        this.rate = rate;
        this.seconds = seconds;
        this.uploadSize = uploadSize;
        this.receiveBuffer = receiveBuffer;
        this.connectRate = connectRate;
        this.rampLimit = rampLimit;
        this.normal = normal;
        this.baselineSeconds = baselineSeconds;
        this.drainBytes = drainBytes;
        this.drainSeconds = drainSeconds;
        byte[] random = new byte[64 * 1024];
        new Random(1).nextBytes(random);
        this.uploadBytes = ByteBuffer.wrap(random).asReadOnlyBuffer();
    }

    /** Runs the scenario; returns the result fields (for the RESULT line). */
    Map<String, String> run() throws IOException, InterruptedException {
        Map<String, String> out = new TreeMap<>();
        System.out.printf(Locale.ROOT, "slow: %d readers of %s and %d uploaders (PATCH of %d MiB) at %d bytes/s each,"
                        + " held %s s, from %s; receive buffer %d bytes%n", readers, blob, uploaders,
                uploadSize >> 20, rate, Stats.s(seconds), target.describeSources(), receiveBuffer);

        NormalClient.Result baseline = new NormalClient.Result();
        if (baselineSeconds > 0) {
            normal.run(baselineSeconds, baseline);
            System.out.println("normal client alone (" + Stats.s(baselineSeconds) + " s): " + baseline.summary());
        }

        for (int i = 0; i < readers + uploaders; i++) {
            // Interleave the two kinds so that both are present from the start of the ramp.
            Kind kind = uploaders == 0 ? Kind.READER : readers == 0 ? Kind.UPLOADER
                    : (long) i * uploaders % (readers + uploaders) < uploaders ? Kind.UPLOADER : Kind.READER;
            conns.add(new Conn(i, kind, target.source(i)));
        }
        selector = Selector.open();
        t0 = System.nanoTime();
        long nextTick = t0;
        long nextReport = t0 + 5_000_000_000L;
        int opened = 0;
        long rampEnd = -1;
        long holdEnd = Long.MAX_VALUE;
        long hardEnd = t0 + (long) ((rampLimit + seconds) * 1e9);
        Thread normalThread = null;
        NormalClient.Result loaded = new NormalClient.Result();
        while (true) {
            long now = System.nanoTime();
            if (now >= nextTick) {
                int allowed = (int) Math.min(conns.size(), (long) ((now - t0) / 1e9 * connectRate) + 1);
                for (; opened < allowed; opened++) {
                    open(conns.get(opened), now);
                }
                for (Conn c : conns) {
                    pump(c, now);
                }
                nextTick += TICK;
                if (nextTick < now) {
                    nextTick = now + TICK;
                }
            }
            if (rampEnd < 0 && opened == conns.size()
                    && (conns.stream().noneMatch(c -> c.state == State.CONNECTING) || now - t0 > rampLimit * 1e9)) {
                rampEnd = now;
                holdEnd = Math.min(hardEnd, now + (long) (seconds * 1e9));
                System.out.printf(Locale.ROOT, "ramp: %d connections in %s s; %s%n", conns.size(),
                        Stats.s((now - t0) / 1e9), counts());
                NormalClient.Result r = loaded;
                double hold = seconds;
                normalThread = new Thread(() -> normal.run(hold, r), "normal-client");
                normalThread.setDaemon(true);
                normalThread.start();
            }
            if (now >= nextReport) {
                System.out.printf(Locale.ROOT, "t=%ss: %s; normal client %d ok, %d failed%n",
                        Stats.s((now - t0) / 1e9), counts(), loaded.ok(), loaded.failed());
                nextReport += 5_000_000_000L;
            }
            if (now >= holdEnd || (rampEnd < 0 && now >= hardEnd)) {
                break;
            }
            long wait = Math.max(1, (Math.min(nextTick, nextReport) - System.nanoTime()) / 1_000_000);
            selector.select(wait);
            for (SelectionKey key : selector.selectedKeys()) {
                handle((Conn) key.attachment(), key);
            }
            selector.selectedKeys().clear();
        }
        long stopped = System.nanoTime(); // the end of the hold: the rates are judged here, before the drain
        if (normalThread != null) {
            normalThread.join(normal.timeoutMs() + 3_000L);
            normalThread.interrupt();
        }
        normal.close();
        int foundClosed = drainAtEnd();
        double held = rampEnd < 0 ? 0 : (stopped - rampEnd) / 1e9;

        System.out.printf(Locale.ROOT, "end, after %s s held (%s s in all):%n", Stats.s(held),
                Stats.s((stopped - t0) / 1e9));
        for (Kind kind : Kind.values()) {
            int total = (int) conns.stream().filter(c -> c.kind == kind).count();
            if (total == 0) {
                continue;
            }
            Map<State, Integer> byState = new EnumMap<>(State.class);
            conns.stream().filter(c -> c.kind == kind).forEach(c -> byState.merge(c.state, 1, Integer::sum));
            long connected = conns.stream().filter(c -> c.kind == kind && c.connected).count();
            long open = conns.stream().filter(c -> c.kind == kind && c.state.open() && c.connected).count();
            long cut = byState.getOrDefault(State.CUT, 0);
            long refused = byState.getOrDefault(State.REFUSED, 0);
            String name = kind == Kind.READER ? "readers" : "uploaders";
            StringBuilder states = new StringBuilder();
            byState.forEach((s, n) -> states.append(states.length() == 0 ? "" : ", ").append(n).append(' ')
                    .append(s.label));
            long bytes = conns.stream().filter(c -> c.kind == kind).mapToLong(c -> c.bytes).sum();
            long stalled = conns.stream().filter(c -> c.kind == kind && stalled(c, stopped)).count();
            long active = conns.stream().filter(c -> c.kind == kind && c.rateStart > 0).count();
            System.out.printf(Locale.ROOT, "  slow %s: %d, %d connected, %d still open at the end; %s (%d of them"
                            + " stalled, more than 2 s behind); %d KiB %s in all (%s KiB per connection that got"
                            + " going)%n", name, total, connected, open, states, stalled, bytes >> 10,
                    kind == Kind.READER ? "read" : "sent",
                    Stats.num(active == 0 ? 0 : bytes / 1024.0 / active));
            Map<Integer, Integer> statuses = new TreeMap<>();
            conns.stream().filter(c -> c.kind == kind && c.state == State.REFUSED)
                    .forEach(c -> statuses.merge(c.status, 1, Integer::sum));
            if (!statuses.isEmpty()) {
                System.out.println("    error statuses: " + statuses);
            }
            double[] cuts = conns.stream().filter(c -> c.kind == kind && !Double.isNaN(c.cutAt))
                    .mapToDouble(c -> c.cutAt).sorted().toArray();
            if (cuts.length > 0) {
                Map<State, Integer> where = new EnumMap<>(State.class);
                conns.stream().filter(c -> c.kind == kind && c.cutIn != null)
                        .forEach(c -> where.merge(c.cutIn, 1, Integer::sum));
                StringBuilder w = new StringBuilder();
                where.forEach((s, n) -> w.append(w.length() == 0 ? "" : ", ").append(n).append(" while ")
                        .append(s.label));
                System.out.printf(Locale.ROOT, "    cut or refused at %s s (first), %s s (median), %s s (last)"
                                + " after the first connect; %s%n", Stats.s(cuts[0]),
                        Stats.s(cuts[cuts.length / 2]), Stats.s(cuts[cuts.length - 1]), w);
            }
            String k = kind == Kind.READER ? "readers" : "uploaders";
            out.put(k, Integer.toString(total));
            out.put(k + "_connected", Long.toString(connected));
            out.put(k + "_open", Long.toString(open));
            out.put(k + "_cut", Long.toString(cut));
            out.put(k + "_refused", Long.toString(refused));
            out.put(k + "_active", Long.toString(byState.getOrDefault(kind == Kind.READER ? State.STREAMING
                    : State.SENDING, 0) - stalled));
        }
        if (foundClosed > 0) {
            System.out.printf(Locale.ROOT, "  (%d reader cuts were found only by reading at full speed at the end:"
                    + " the server had closed, but what it wrote before was still being read at the rate)%n",
                    foundClosed);
        }
        System.out.println("normal client under load (" + Stats.s(seconds) + " s): " + loaded.summary());
        long[] b = baseline.sortedLatencies();
        long[] l = loaded.sortedLatencies();
        out.put("baseline_p50_ms", Stats.ms(Stats.percentileMs(b, 50)));
        out.put("baseline_p99_ms", Stats.ms(Stats.percentileMs(b, 99)));
        out.put("normal_requests", Integer.toString(loaded.count));
        out.put("normal_failed", Integer.toString(loaded.failed()));
        out.put("normal_p50_ms", Stats.ms(Stats.percentileMs(l, 50)));
        out.put("normal_p99_ms", Stats.ms(Stats.percentileMs(l, 99)));
        out.put("normal_max_ms", Stats.ms(Stats.percentileMs(l, 100)));
        for (Conn c : conns) {
            closeQuietly(c);
        }
        selector.close();
        return out;
    }

    private String counts() {
        Map<State, Integer> byState = new EnumMap<>(State.class);
        conns.forEach(c -> byState.merge(c.state, 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        byState.forEach((s, n) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(s.label));
        long now = System.nanoTime();
        long stalled = conns.stream().filter(c -> stalled(c, now)).count();
        if (stalled > 0) {
            b.append(" (").append(stalled).append(" of them stalled)");
        }
        return b.toString();
    }

    /**
     * Whether a reader or uploader that got going is more than 2 s behind its rate: the server stopped sending
     * (reader) or the kernel's buffers on both sides are full because it stopped reading (uploader; those buffers
     * hold a few hundred KiB, so an uploader the server never reads only shows up as stalled after a while).
     */
    private boolean stalled(Conn c, long now) {
        if ((c.state != State.STREAMING && c.state != State.SENDING) || c.rateStart == 0) {
            return false;
        }
        return rate * (now - c.rateStart) / 1_000_000_000L - c.bytes > 2 * rate;
    }

    private void open(Conn c, long now) {
        try {
            c.ch = target.connect(c.source, c.kind == Kind.READER ? receiveBuffer : 0);
            c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
            c.state = State.CONNECTING;
        } catch (IOException e) {
            c.state = State.CONNECT_FAILED;
            c.cutAt = (now - t0) / 1e9;
        }
    }

    private void handle(Conn c, SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                if (!c.ch.finishConnect()) {
                    return;
                }
                c.connected = true;
                if (c.reconnectForPatch) {
                    c.reconnectForPatch = false;
                    startPatch(c);
                } else if (c.kind == Kind.READER) {
                    send(c, HttpHead.request("GET", "/v2/" + repo + "/blobs/" + blob, target.hostHeader),
                            State.AWAIT_RESPONSE);
                } else {
                    send(c, HttpHead.request("POST", "/v2/" + repo + "/blobs/uploads/", target.hostHeader,
                            "Content-Length: 0"), State.AWAIT_UPLOAD_URL);
                }
                return;
            }
            if (key.isWritable()) {
                writePending(c);
            }
            if (key.isValid() && key.isReadable()) {
                readHead(c);
            }
        } catch (IOException e) {
            cut(c, e);
        }
    }

    private void send(Conn c, ByteBuffer request, State next) throws IOException {
        c.pending = request;
        c.state = next;
        writePending(c);
    }

    private void writePending(Conn c) throws IOException {
        if (c.pending != null) {
            c.ch.write(c.pending);
            if (c.pending.hasRemaining()) {
                c.key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            c.pending = null;
        }
        if (c.state == State.SENDING && !c.patchHeadersSent) {
            c.patchHeadersSent = true;
            c.rateStart = System.nanoTime();
        }
        // Watch for the response; for a slow body also for an early answer or a close from the server.
        c.key.interestOps(SelectionKey.OP_READ);
        c.head.reset();
    }

    private void startPatch(Conn c) throws IOException {
        c.inPatch = true;
        c.patchHeadersSent = false;
        send(c, HttpHead.request("PATCH", c.uploadPath, target.hostHeader, "Content-Type: application/octet-stream",
                "Content-Length: " + uploadSize), State.SENDING);
    }

    /** Reads a response head (readers and uploaders) in small pieces; a reader's body is left to the tick. */
    private void readHead(Conn c) throws IOException {
        scratch.clear().limit(1024);
        int n = c.ch.read(scratch);
        if (n < 0) {
            throw new IOException("closed by the server");
        }
        scratch.flip();
        HttpHead head = c.head.offer(scratch);
        if (head == null) {
            return;
        }
        c.status = head.status;
        if (c.kind == Kind.READER) {
            if (head.status != 200) {
                refuse(c);
                return;
            }
            c.state = State.STREAMING;
            c.rateStart = System.nanoTime();
            c.bytes = c.head.leftover();
            c.expected = head.contentLength();
            c.key.interestOps(0); // from now on the tick reads, at the rate
            return;
        }
        if (!c.inPatch) {
            String location = head.header("location");
            if (head.status != 202 || location == null) {
                refuse(c);
                return;
            }
            c.uploadPath = HttpHead.pathOf(location);
            if (head.closes() || head.contentLength() > c.head.leftover()) {
                // Not reusable (or a body we would have to skip): the PATCH goes on a new connection.
                c.ch.close();
                c.reconnectForPatch = true;
                c.ch = target.connect(c.source, 0);
                c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                c.state = State.CONNECTING;
                return;
            }
            startPatch(c);
            return;
        }
        // The PATCH's answer: early (the body is not all sent) means the server gave up on it.
        if (c.state == State.AWAIT_PATCH_RESPONSE && head.status == 202) {
            c.state = State.DONE;
            closeQuietly(c);
        } else {
            refuse(c);
        }
    }

    private void refuse(Conn c) {
        c.cutIn = c.state;
        c.state = State.REFUSED;
        c.cutAt = (System.nanoTime() - t0) / 1e9;
        closeQuietly(c);
    }

    private void cut(Conn c, IOException e) {
        if (!c.state.open()) {
            return;
        }
        if (!c.connected) {
            c.state = State.CONNECT_FAILED;
        } else {
            c.cutIn = c.state;
            c.state = State.CUT;
        }
        c.cutAt = (System.nanoTime() - t0) / 1e9;
        closeQuietly(c);
    }

    /**
     * A reader learns that the server closed only after reading what the server had written before the close: the
     * kernel goes on sending a closed socket's buffer, and on Linux the server's send buffer grows to about 4 MiB
     * even for a reader with a small window (seen: 3.4 MiB queued per slow reader), which takes minutes at 4 KiB/s.
     * So at the end every streaming reader reads at full speed, up to {@code drainBytes} each and for at most
     * {@code drainSeconds} in all, to find out whether a close follows; returns how many found one.
     */
    private int drainAtEnd() throws IOException {
        int found = 0;
        long until = System.nanoTime() + (long) (drainSeconds * 1e9);
        Map<Conn, long[]> drained = new HashMap<>();
        for (Conn c : conns) {
            if (c.state == State.STREAMING && c.key != null && c.key.isValid()) {
                c.key.interestOps(SelectionKey.OP_READ);
                drained.put(c, new long[1]);
            }
        }
        while (!drained.isEmpty() && System.nanoTime() < until) {
            selector.select(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            for (SelectionKey key : selector.selectedKeys()) {
                Conn c = (Conn) key.attachment();
                long[] n = drained.get(c);
                if (n == null || !key.isValid() || !key.isReadable()) {
                    continue;
                }
                try {
                    scratch.clear();
                    int r = c.ch.read(scratch);
                    if (r < 0) {
                        throw new IOException("closed by the server");
                    }
                    n[0] += r;
                    if (n[0] >= drainBytes) {
                        key.interestOps(0);
                        drained.remove(c);
                    }
                } catch (IOException e) {
                    cut(c, e);
                    drained.remove(c);
                    found++;
                }
            }
            selector.selectedKeys().clear();
        }
        return found;
    }

    /** Moves a streaming reader's or sending uploader's bytes as far as its rate allows by now. */
    private void pump(Conn c, long now) {
        try {
            if (c.state == State.STREAMING) {
                long allowed = Math.min(scratch.capacity(), rate * (now - c.rateStart) / 1_000_000_000L - c.bytes);
                if (c.expected >= 0) {
                    allowed = Math.min(allowed, c.expected - c.bytes);
                }
                if (allowed > 0) {
                    scratch.clear().limit((int) allowed);
                    int n = c.ch.read(scratch);
                    if (n < 0) {
                        throw new IOException("closed by the server");
                    }
                    c.bytes += n;
                }
                if (c.expected >= 0 && c.bytes >= c.expected) {
                    c.state = State.DONE;
                    closeQuietly(c);
                }
            } else if (c.state == State.SENDING && c.patchHeadersSent) {
                long allowed = Math.min(Math.min(uploadBytes.capacity(), uploadSize - c.bytes),
                        rate * (now - c.rateStart) / 1_000_000_000L - c.bytes);
                if (allowed > 0) {
                    ByteBuffer slice = uploadBytes.duplicate();
                    slice.limit((int) allowed);
                    c.bytes += c.ch.write(slice);
                }
                if (c.bytes >= uploadSize) {
                    c.state = State.AWAIT_PATCH_RESPONSE;
                }
            }
        } catch (IOException e) {
            cut(c, e);
        }
    }

    private static void closeQuietly(Conn c) {
        if (c.ch != null) {
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
