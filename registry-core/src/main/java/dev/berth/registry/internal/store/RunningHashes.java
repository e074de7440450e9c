package dev.berth.registry.internal.store;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.berth.registry.model.Digest;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The fast path of upload hashing: the digest state of uploads this instance has been writing, so that committing a
 * blob does not re-read it. Only an accelerator: an instance without the state (another replica took the last
 * chunks, or it restarted) catches up by reading the missing bytes from storage. Bounded in size and time.
 */
public final class RunningHashes {

    /** The digest of the first {@code offset} bytes of an upload, still open for more. */
    public static final class State {
        private final MessageDigest md;
        private final Digest.Algorithm algorithm;
        private long offset;

        public State(Digest.Algorithm algorithm) {
            this.algorithm = algorithm;
            this.md = algorithm.newMessageDigest();
        }

        public long offset() {
            return offset;
        }

        public Digest.Algorithm algorithm() {
            return algorithm;
        }

        public void update(byte[] b, int off, int len) {
            md.update(b, off, len);
            offset += len;
        }

        /** The digest so far; ends this state. */
        public Digest finish() {
            return Digest.fromBytes(algorithm, md.digest());
        }
    }

    private final Cache<String, State> states;
    /** Uploads in use, each with the number of holders and waiters; an entry goes when the last one leaves. */
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    private static final class Slot {
        final Semaphore permit = new Semaphore(1);
        int users; // guarded by the map's compute
    }

    /**
     * Exclusive use of one upload within this instance, from {@link #hold} until {@link #close()}. Unlike a lock it
     * belongs to no thread: a non-blocking server takes it when a request starts and releases it, from whichever
     * thread finishes the request, when the body has been read. Closing twice is harmless.
     */
    public final class Hold implements AutoCloseable {
        private final String key;
        private final Slot slot;
        private final AtomicBoolean released = new AtomicBoolean();

        private Hold(String key, Slot slot) {
            this.key = key;
            this.slot = slot;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                slot.permit.release();
                leave(key);
            }
        }
    }

    /**
     * Waits up to {@code wait} for exclusive use of an upload (chunks of one upload are serialised within this
     * instance); empty when another request still holds it then. Each upload has its own slot, so a slow client
     * never delays another upload.
     */
    public Optional<Hold> hold(String uploadKey, Duration wait) {
        Slot slot = slots.compute(uploadKey, (k, s) -> {
            Slot v = s == null ? new Slot() : s;
            v.users++;
            return v;
        });
        boolean acquired = false;
        try {
            acquired = wait.isZero() ? slot.permit.tryAcquire()
                    : slot.permit.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!acquired) {
            leave(uploadKey);
            return Optional.empty();
        }
        return Optional.of(new Hold(uploadKey, slot));
    }

    private void leave(String uploadKey) {
        slots.compute(uploadKey, (k, s) -> s == null || --s.users == 0 ? null : s);
    }

    public RunningHashes(long maximumUploads, Duration idle) {
        this.states = CacheBuilder.newBuilder().maximumSize(maximumUploads).expireAfterAccess(idle).build();
    }

    /** The state of an upload, or null. The caller holds the upload. */
    public State get(String uploadKey) {
        return states.getIfPresent(uploadKey);
    }

    public State start(String uploadKey, Digest.Algorithm algorithm) {
        State s = new State(algorithm);
        states.put(uploadKey, s);
        return s;
    }

    public void forget(String uploadKey) {
        states.invalidate(uploadKey);
    }
}
