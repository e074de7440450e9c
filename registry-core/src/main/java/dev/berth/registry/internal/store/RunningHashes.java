package dev.berth.registry.internal.store;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.Striped;
import dev.berth.registry.model.Digest;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.locks.Lock;

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
    private final Striped<Lock> locks = Striped.lock(1024);

    /** The lock that serialises the chunks of one upload within this instance. */
    public Lock lock(String uploadKey) {
        return locks.get(uploadKey);
    }

    public RunningHashes(long maximumUploads, Duration idle) {
        this.states = CacheBuilder.newBuilder().maximumSize(maximumUploads).expireAfterAccess(idle).build();
    }

    /** The state of an upload, or null. The caller holds the upload's lock. */
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
