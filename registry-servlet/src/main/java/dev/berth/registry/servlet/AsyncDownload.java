package dev.berth.registry.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob's bytes written to the client with the Servlet API's asynchronous I/O: a thread is busy only while the
 * client's socket takes bytes, never while it waits for a slow reader, so thousands of slow pulls cost connections
 * and small buffers, not threads.
 *
 * <p>Buffers adapt to the client: a reader that keeps up gets writes of up to {@value #LARGE} bytes (few system
 * calls), one that does not ({@link ServletOutputStream#isReady()} false right after a write) gets {@value #SMALL}
 * bytes at a time, so ten thousand trickling pulls hold little memory.
 */
final class AsyncDownload extends Transfers.Transfer implements WriteListener {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncDownload.class);
    static final int SMALL = 16 << 10;
    static final int LARGE = 256 << 10;

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final InputStream in;
    private final Runnable onSuccess;
    private final ServletOptions.LimitListener listener;
    private long left;
    private byte[] buffer;
    private boolean slow;
    private boolean done;

    private AsyncDownload(AsyncContext async, ServletOutputStream out, InputStream in, long length,
            ServletOptions.Limits limits, Runnable onSuccess) {
        super(limits.minResponseRate(), limits.rateWindow().toNanos(), 0, "min_response_rate");
        this.async = async;
        this.out = out;
        this.in = in;
        this.left = length;
        this.onSuccess = onSuccess;
        this.listener = limits.listener();
    }

    /**
     * Sends {@code length} bytes of {@code in} as the response body (status and headers already set) and closes
     * {@code in}; {@code onSuccess} runs once the last byte is handed to the container.
     */
    static void start(Exchange x, InputStream in, long length, Runnable onSuccess) throws IOException {
        AsyncContext async = x.request.startAsync();
        async.setTimeout(0); // the watch enforces the minimum rate; a plain timeout would cut large pulls
        ServletOutputStream out = x.response.getOutputStream();
        AsyncDownload d = new AsyncDownload(async, out, in, length, x.options.limits(), onSuccess);
        Transfers.WATCH.add(d);
        out.setWriteListener(d);
    }

    @Override
    public synchronized void onWritePossible() throws IOException {
        int writes = 0;
        while (!done && out.isReady()) {
            if (writes++ > 0) {
                slow = false; // the last write went straight out
            }
            if (left == 0) {
                end();
                try {
                    onSuccess.run();
                } finally {
                    async.complete();
                }
                return;
            }
            int size = slow ? SMALL : LARGE;
            if (buffer == null || buffer.length != size) {
                buffer = new byte[size];
            }
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the blob ended " + left + " bytes early in storage");
            }
            out.write(buffer, 0, n);
            left -= n;
            moved(n);
        }
        if (!done && !slow) {
            // The client did not keep up: the next write goes out in a small buffer, and the large one can go.
            buffer = null;
            slow = true;
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        if (done) {
            return;
        }
        LOG.debug("blob download ended early: {}", t.toString());
        end();
        async.complete();
    }

    @Override
    synchronized void cut(String limit) {
        if (done) {
            return;
        }
        end();
        listener.limitHit(limit);
        LOG.info("cut off a download slower than the minimum rate ({} bytes left)", left);
        // The body is short of its Content-Length: completing it makes the container close the connection.
        async.complete();
    }

    private void end() {
        done = true;
        buffer = null;
        Transfers.WATCH.remove(this);
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("closing a blob stream: {}", e.toString());
        }
    }
}
