package dev.berth.registry.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to a request refused before its body was read (a chunk out of order, a caller without the right to push):
 * what is left of the body is read and dropped first, up to {@link #LIMIT} bytes, so that a client still sending it
 * gets the answer rather than a connection reset under its write (HTTP clients, the JDK's among them, report the
 * broken pipe and never read the answer). Past the limit, or past the body timeout, the answer goes out with
 * {@code Connection: close}. With asynchronous I/O no thread waits for the client meanwhile; without it the bytes are
 * read on the request's thread, within the same limit.
 */
final class AsyncDrain extends Transfers.Transfer implements ReadListener {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncDrain.class);
    /** As much as a refused request may still send; a manifest's limit is 4 MiB, a chunk is usually larger. */
    static final long LIMIT = 4L << 20;

    private final Exchange x;
    private final AsyncContext async;
    private final ServletInputStream in;
    private final Throwable failure;
    private final byte[] sink = new byte[16 << 10];
    private long dropped;
    private boolean done;

    private AsyncDrain(Exchange x, AsyncContext async, ServletInputStream in, Throwable failure) {
        super(0, x.options.limits().rateWindow().toNanos(), x.options.limits().bodyTimeout().toNanos(), null);
        this.x = x;
        this.async = async;
        this.in = in;
        this.failure = failure;
    }

    /**
     * Whether the request still has body bytes nobody read, and nobody will: no asynchronous reader took the body,
     * and the answer is not out yet.
     */
    static boolean needed(Exchange x) throws IOException {
        if (x.request.isAsyncStarted() || x.response.isCommitted()) {
            return false;
        }
        if ("100-continue".equalsIgnoreCase(x.request.getHeader("Expect"))) {
            return false; // the client waits for our word before it sends the body: reading would ask for it
        }
        return x.hasBody() && !x.request.getInputStream().isFinished();
    }

    /** Drops what is left of the body (within the limits), then answers {@code failure} as {@link Exchange#fail}. */
    static void thenFail(Exchange x, Throwable failure) throws IOException {
        ServletInputStream in = x.request.getInputStream();
        if (!x.async()) {
            boolean ended;
            try {
                ended = x.drain(LIMIT);
            } catch (IOException e) {
                LOG.debug("dropping a refused body: {}", e.toString());
                ended = false;
            }
            if (!ended) {
                x.response.setHeader("Connection", "close");
            }
            x.fail(failure);
            return;
        }
        AsyncContext async = x.request.startAsync();
        async.setTimeout(0);
        AsyncDrain d = new AsyncDrain(x, async, in, failure);
        Transfers.WATCH.add(d);
        in.setReadListener(d);
    }

    @Override
    public synchronized void onDataAvailable() {
        if (done) {
            return;
        }
        try {
            while (in.isReady()) {
                int n = in.read(sink, 0, sink.length);
                if (n < 0) {
                    return; // onAllDataRead follows
                }
                dropped += n;
                moved(n);
                if (dropped > LIMIT) {
                    end(true);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("dropping a refused body: {}", e.toString());
            end(true);
        }
    }

    @Override
    public synchronized void onAllDataRead() {
        end(false);
    }

    @Override
    public synchronized void onError(Throwable t) {
        LOG.debug("a refused body ended early: {}", t.toString());
        end(true);
    }

    @Override
    synchronized void cut(String limitName) {
        if (!done) {
            x.options.limits().listener().limitHit(limitName);
            end(true);
        }
    }

    private void end(boolean close) {
        if (done) {
            return;
        }
        done = true;
        Transfers.WATCH.remove(this);
        try {
            if (close) {
                x.response.setHeader("Connection", "close");
            }
            x.failQuietly(failure);
        } finally {
            async.complete();
        }
    }
}
