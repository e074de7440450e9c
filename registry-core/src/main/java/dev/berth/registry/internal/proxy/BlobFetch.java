package dev.berth.registry.internal.proxy;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blob missing from storage, fetched from the upstream: streamed to the client that asked while it is stored
 * (verified by digest before it becomes visible); a concurrent request for the same blob waits for that fetch and
 * reads from storage, so the upstream is asked once. The fetch runs on its own thread and finishes storing even if
 * its client goes away.
 */
public final class BlobFetch {
    /** How long a request waits for another request's fetch of the same blob. */
    static final long WAIT_MINUTES = 30;

    private BlobFetch() {
    }

    /** Stores a blob from a stream, verifying its digest; returns once it is stored or throws. */
    @FunctionalInterface
    public interface Storer {
        void store(InputStream content) throws IOException;
    }

    /** Opens what storage has, once a fetch stored it. */
    @FunctionalInterface
    public interface LocalOpener {
        InputStream open(long offset) throws IOException;
    }

    /**
     * The blob's bytes from {@code offset}; empty when the upstream does not have it either.
     *
     * @throws IOException when the upstream fails, or the fetch this request waited for failed
     */
    public static Optional<InputStream> open(PullThrough.Target target, Digest digest, long offset, Storer storer,
            LocalOpener local) throws IOException {
        PullThrough pull = target.owner();
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = pull.fetching().putIfAbsent(digest, mine);
        if (running != null) {
            await(running, digest);
            return Optional.of(local.open(offset));
        }
        Optional<UpstreamClient.Body> body;
        try {
            body = target.client().blob(target.remote(), digest);
        } catch (IOException | RuntimeException e) {
            pull.fetching().remove(digest, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        if (body.isEmpty()) {
            pull.fetching().remove(digest, mine);
            mine.complete(null);
            return Optional.empty();
        }
        ChunkPipe pipe = new ChunkPipe();
        InputStream reader = pipe.reader();
        pull.fetchers().execute(() -> {
            try (InputStream upstream = body.get().stream()) {
                storer.store(pipe.tee(upstream));
                mine.complete(null);
                pipe.finish();
            } catch (Throwable t) {
                mine.completeExceptionally(t);
                pipe.fail(t);
            } finally {
                pull.fetching().remove(digest, mine);
            }
        });
        if (offset > 0) {
            reader.skipNBytes(offset);
        }
        return Optional.of(reader);
    }

    private static void await(CompletableFuture<Void> fetch, Digest digest) throws IOException {
        try {
            fetch.get(WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the fetch of " + digest, e);
        } catch (ExecutionException e) {
            throw new IOException("fetching " + digest + " from the upstream failed: "
                    + Failures.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the fetch of " + digest + " from the upstream is still running", e);
        }
    }
}
