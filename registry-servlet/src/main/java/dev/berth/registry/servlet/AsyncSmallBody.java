package dev.berth.registry.servlet;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small request body (a manifest) read with the Servlet API's asynchronous I/O, bounded in size and in time: no
 * thread waits for a slow client, a body over the limit is 413 PAYLOAD_TOO_LARGE (what follows it is read and dropped
 * up to a few times the limit, so the client sees the answer rather than a reset), and one that has not arrived whole
 * within the body timeout is cut off. Then {@code onBody} runs with the bytes and answers.
 */
final class AsyncSmallBody extends Transfers.Transfer implements ReadListener {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncSmallBody.class);

    /** What to do with the body once it is whole. */
    @FunctionalInterface
    interface OnBody {
        void accept(byte[] body) throws IOException;
    }

    private final Exchange x;
    private final AsyncContext async;
    private final ServletInputStream in;
    private final int limit;
    private final String what;
    private final ErrorCode timeoutCode;
    private final OnBody onBody;
    private byte[] bytes;
    private int length;
    private long dropped = -1; // >= 0 once over the limit: the bytes read and dropped since
    private boolean done;

    private AsyncSmallBody(Exchange x, AsyncContext async, ServletInputStream in, int limit, String what,
            ErrorCode timeoutCode, OnBody onBody) {
        super(0, x.options.limits().rateWindow().toNanos(), x.options.limits().bodyTimeout().toNanos(), null);
        this.x = x;
        this.async = async;
        this.in = in;
        this.limit = limit;
        this.what = what;
        this.timeoutCode = timeoutCode;
        this.onBody = onBody;
        long declared = x.request.getContentLengthLong();
        this.bytes = new byte[(int) Math.min(limit + 1L, declared >= 0 ? declared + 1 : 16 << 10)];
    }

    /**
     * Reads the body, at most {@code limit} bytes, then calls {@code onBody}; {@code what} names it in errors, and
     * {@code timeoutCode} is the error when it does not arrive in time.
     */
    static void read(Exchange x, int limit, String what, ErrorCode timeoutCode, OnBody onBody) throws IOException {
        AsyncContext async = x.request.startAsync();
        async.setTimeout(0);
        AsyncSmallBody b = new AsyncSmallBody(x, async, x.request.getInputStream(), limit, what, timeoutCode, onBody);
        Transfers.WATCH.add(b);
        b.in.setReadListener(b);
    }

    @Override
    public synchronized void onDataAvailable() {
        if (done) {
            return;
        }
        try {
            while (in.isReady()) {
                if (dropped >= 0) {
                    int n = in.read(bytes, 0, bytes.length);
                    if (n < 0) {
                        return;
                    }
                    dropped += n;
                    if (dropped > 3L * limit) {
                        // Past what we are willing to read: answer and let the container close the connection.
                        x.response.setHeader("Connection", "close");
                        end(tooLarge());
                        return;
                    }
                    continue;
                }
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(limit + 1L, bytes.length * 2L));
                }
                int n = in.read(bytes, length, bytes.length - length);
                if (n < 0) {
                    return; // onAllDataRead follows
                }
                length += n;
                moved(n);
                if (length > limit) {
                    dropped = 0;
                    bytes = new byte[16 << 10]; // from now on only a sink
                }
            }
        } catch (IOException | RuntimeException e) {
            x.response.setHeader("Connection", "close");
            end(e);
        }
    }

    @Override
    public synchronized void onAllDataRead() {
        if (done) {
            return;
        }
        if (dropped >= 0) {
            end(tooLarge());
            return;
        }
        done = true;
        Transfers.WATCH.remove(this);
        try {
            onBody.accept(Arrays.copyOf(bytes, length));
        } catch (IOException | RuntimeException e) {
            x.failQuietly(e);
        } finally {
            async.complete();
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        if (done) {
            return;
        }
        LOG.debug("{} ended early: {}", what, t.toString());
        end(t instanceof IOException ? t : new IOException(t));
    }

    @Override
    synchronized void cut(String limitName) {
        if (done) {
            return;
        }
        x.options.limits().listener().limitHit(limitName);
        x.response.setHeader("Connection", "close");
        end(new RegistryException(timeoutCode, what + " did not arrive within "
                + x.options.limits().bodyTimeout().toSeconds() + "s"));
    }

    private RegistryException tooLarge() {
        x.options.limits().listener().limitHit("body_size");
        long declared = x.request.getContentLengthLong();
        return new RegistryException(ErrorCode.PAYLOAD_TOO_LARGE, what + (declared >= 0 ? " is " + declared
                + " bytes" : "") + " over the limit of " + limit + " bytes");
    }

    private void end(Throwable failure) {
        done = true;
        Transfers.WATCH.remove(this);
        try {
            x.failQuietly(failure);
        } finally {
            async.complete();
        }
    }
}
