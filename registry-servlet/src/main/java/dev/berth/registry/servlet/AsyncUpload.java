package dev.berth.registry.servlet;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.repository.Uploads;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob chunk read from the client with the Servlet API's asynchronous I/O into an {@link Uploads.ChunkWriter}: a
 * thread is busy only while bytes are there to take, never while a slow client makes it wait. When the body has
 * arrived, {@code onBody} ends the chunk (finish or commit) and answers; a client that goes away, or that is cut off
 * for being slower than the minimum rate, leaves what arrived in the upload, which it can resume.
 */
final class AsyncUpload extends Transfers.Transfer implements ReadListener {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncUpload.class);

    /** What to do with the chunk once the whole body is in it: end it and answer. */
    @FunctionalInterface
    interface OnBody {
        void accept(Uploads.ChunkWriter chunk) throws IOException;
    }

    private final Exchange x;
    private final AsyncContext async;
    private final ServletInputStream in;
    private final Uploads.ChunkWriter chunk;
    private final OnBody onBody;
    private final Runnable onFailure;
    private final ServletOptions.Limits limits;
    private boolean done;

    private AsyncUpload(Exchange x, AsyncContext async, ServletInputStream in, Uploads.ChunkWriter chunk,
            OnBody onBody, Runnable onFailure) {
        super(x.options.limits().minRequestRate(), x.options.limits().rateWindow().toNanos(), 0, "min_request_rate");
        this.x = x;
        this.async = async;
        this.in = in;
        this.chunk = chunk;
        this.onBody = onBody;
        this.onFailure = onFailure;
        this.limits = x.options.limits();
    }

    /**
     * Reads the request body into {@code chunk}, then calls {@code onBody}. The chunk is closed in every case;
     * {@code onFailure} runs (after that) when the body did not arrive whole or {@code onBody} failed.
     */
    static void start(Exchange x, Uploads.ChunkWriter chunk, OnBody onBody, Runnable onFailure) throws IOException {
        AsyncContext async = x.request.startAsync();
        async.setTimeout(0); // the watch enforces the minimum rate; a plain timeout would cut large pushes
        AsyncUpload u = new AsyncUpload(x, async, x.request.getInputStream(), chunk, onBody, onFailure);
        Transfers.WATCH.add(u);
        u.in.setReadListener(u);
    }

    @Override
    public synchronized void onDataAvailable() {
        if (done) {
            return;
        }
        try {
            while (in.isReady()) {
                int n = chunk.readFrom(in);
                if (n < 0) {
                    return; // onAllDataRead follows
                }
                moved(n);
            }
            chunk.pause(); // waiting for the network: hand on what is buffered
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public synchronized void onAllDataRead() {
        if (done) {
            return;
        }
        done = true;
        Transfers.WATCH.remove(this);
        boolean ok = false;
        try {
            onBody.accept(chunk);
            ok = true;
        } catch (IOException | RuntimeException e) {
            x.failQuietly(e);
        } finally {
            chunk.close();
            if (!ok) {
                onFailure.run();
            }
            async.complete();
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        if (done) {
            return;
        }
        LOG.debug("upload body ended early: {}", t.toString());
        fail(t instanceof IOException ? t : new IOException(t));
    }

    @Override
    synchronized void cut(String limit) {
        if (done) {
            return;
        }
        limits.listener().limitHit(limit);
        LOG.info("cut off an upload slower than {} bytes/s; it holds {} bytes and can be resumed",
                limits.minRequestRate(), chunk.size());
        x.response.setHeader("Connection", "close");
        fail(new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "the upload was slower than "
                + limits.minRequestRate() + " bytes/s over " + limits.rateWindow().toSeconds()
                + "s; what arrived is kept: resume from the upload's Range"));
    }

    private void fail(Throwable e) {
        done = true;
        Transfers.WATCH.remove(this);
        try {
            chunk.close(); // keeps what arrived
            x.response.setHeader("Connection", "close"); // the rest of the body is not read
            x.failQuietly(e);
            onFailure.run();
        } finally {
            async.complete();
        }
    }
}
