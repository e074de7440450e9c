package dev.berth.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A well-behaved client: one thread, one kept-alive connection (a blocking socket, so it can come from a chosen
 * local address), one {@code GET} at a time, every {@code interval} ms or back to back when a request takes longer.
 * A request that is not answered completely within the timeout (connect included) counts as failed, and the
 * connection is dropped and opened anew for the next one.
 */
final class NormalClient {
    private final Target target;
    private final InetAddress source;
    private final byte[] request;
    private final int timeoutMs;
    private final int intervalMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    NormalClient(Target target, InetAddress source, String path, String accept, int timeoutMs, int intervalMs) {
        this.target = target;
        this.source = source;
        ByteBuffer r = HttpHead.request("GET", path, target.hostHeader, "Accept: " + accept);
        this.request = Arrays.copyOf(r.array(), r.limit());
        this.timeoutMs = timeoutMs;
        this.intervalMs = intervalMs;
    }

    /** What one phase of requests saw. */
    static final class Result {
        long phaseStart = System.nanoTime();
        long[] latencies = new long[1024];
        int count;
        int ok;
        final Map<String, Integer> failures = new TreeMap<>();
        /** Seconds (since the phase began) at which failures happened, first and last. */
        double firstFailure = Double.NaN;
        double lastFailure = Double.NaN;

        synchronized void add(long nanos, String failure) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
            if (failure == null) {
                ok++;
            } else {
                failures.merge(failure, 1, Integer::sum);
                double at = (System.nanoTime() - phaseStart) / 1e9;
                if (Double.isNaN(firstFailure)) {
                    firstFailure = at;
                }
                lastFailure = at;
            }
        }

        synchronized int ok() {
            return ok;
        }

        synchronized int failed() {
            return count - ok;
        }

        synchronized long[] sortedLatencies() {
            return Stats.sorted(latencies, count);
        }

        synchronized String summary() {
            long[] s = Stats.sorted(latencies, count);
            String f = failures.isEmpty() ? "" : " " + failures;
            String when = failures.isEmpty() ? "" : String.format(Locale.ROOT, ", failures from %ss to %ss",
                    Stats.s(firstFailure), Stats.s(lastFailure));
            return String.format(Locale.ROOT, "%d requests, %d ok, %d failed%s%s; latency p50 %s ms, p99 %s ms, max %s ms",
                    count, ok, count - ok, f, when, Stats.ms(Stats.percentileMs(s, 50)),
                    Stats.ms(Stats.percentileMs(s, 99)), Stats.ms(Stats.percentileMs(s, 100)));
        }
    }

    /** Sends requests for {@code seconds}; the last one may end up to the timeout later. */
    Result run(double seconds, Result result) {
        synchronized (result) {
            result.phaseStart = System.nanoTime();
        }
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long next = System.nanoTime();
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    break;
                }
            }
            long start = System.nanoTime();
            next = start + intervalMs * 1_000_000L;
            String failure = once(start + timeoutMs * 1_000_000L);
            result.add(System.nanoTime() - start, failure);
        }
        return result;
    }

    int timeoutMs() {
        return timeoutMs;
    }

    void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }

    /** One request; returns null when it succeeded, else what went wrong. */
    private String once(long deadline) {
        boolean connecting = socket == null;
        try {
            if (socket == null) {
                Socket s = new Socket();
                socket = s;
                if (source != null) {
                    s.bind(new InetSocketAddress(source, 0));
                }
                s.setTcpNoDelay(true);
                s.connect(target.address, remainingMs(deadline));
                in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
                out = s.getOutputStream();
            }
            connecting = false;
            out.write(request);
            out.flush();
            HttpHead head = HttpHead.parse(readHead(deadline));
            while (head.status >= 100 && head.status < 200) {
                head = HttpHead.parse(readHead(deadline));
            }
            boolean keep = readBody(head, deadline);
            if (!keep || head.closes()) {
                close();
            }
            return head.status == 200 ? null : "status " + head.status;
        } catch (SocketTimeoutException e) {
            close();
            return connecting ? "connect timeout" : "timeout";
        } catch (IOException e) {
            close();
            return (connecting ? "connect: " : "") + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().toLowerCase(Locale.ROOT));
        }
    }

    private int remainingMs(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("deadline");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private int read(long deadline) throws IOException {
        socket.setSoTimeout(remainingMs(deadline));
        return in.read();
    }

    private String readHead(long deadline) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        while (matched < 4) {
            int b = read(deadline);
            if (b < 0) {
                throw new IOException("connection closed before a response");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    /** Reads and discards the body; returns false when the connection cannot be reused. */
    private boolean readBody(HttpHead head, long deadline) throws IOException {
        if (head.status == 204 || head.status == 304) {
            return true;
        }
        long length = head.contentLength();
        if (length >= 0) {
            skip(length, deadline);
            return true;
        }
        if (head.chunked()) {
            while (true) {
                String line = readLine(deadline);
                int semi = line.indexOf(';');
                long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine(deadline).isEmpty()) {
                        // trailers
                    }
                    return true;
                }
                skip(size, deadline);
                readLine(deadline);
            }
        }
        while (read(deadline) >= 0) {
            // until the server closes
        }
        return false;
    }

    private void skip(long n, long deadline) throws IOException {
        for (long i = 0; i < n; i++) {
            if (read(deadline) < 0) {
                throw new IOException("connection closed in the body");
            }
        }
    }

    private String readLine(long deadline) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = read(deadline)) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed in the body");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
