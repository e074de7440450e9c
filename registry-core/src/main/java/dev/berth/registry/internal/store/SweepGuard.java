package dev.berth.registry.internal.store;

import dev.berth.registry.model.Digest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Closes the race between an online collection in this JVM and a push that re-uses a blob the collection is about to
 * delete (a blob a HEAD found, an existing blob committed again, a mount, a manifest whose bytes are already there).
 * Writers {@link #touch} every digest they are about to rely on before checking that it exists; while a collection
 * runs, the collector deletes only digests nobody touched since it started, and a writer that touches a digest
 * being deleted waits until it is gone, so its existence check then fails and the client uploads it again.
 *
 * <p>Replicas in other JVMs are not covered: for them the grace period and the collector's second listing are the
 * protection. Costs a writer one volatile read when no collection runs.
 */
public final class SweepGuard {
    private volatile boolean tracking;
    private final Set<Digest> touched = new HashSet<>();
    private final Map<Digest, Integer> deleting = new HashMap<>(); // a digest may be deleted in several places

    /** A writer is about to rely on {@code digest} being in storage. */
    public void touch(Digest digest) {
        if (!tracking) {
            return;
        }
        synchronized (this) {
            if (!tracking) {
                return;
            }
            touched.add(digest);
            boolean interrupted = false;
            while (deleting.containsKey(digest)) {
                try {
                    wait(1000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A collection starts: from now on, touched digests are remembered. */
    public synchronized void begin() {
        touched.clear();
        deleting.clear();
        tracking = true;
    }

    /** The collector wants to delete {@code digest}: true (and writers wait on it) unless a writer touched it. */
    public synchronized boolean claim(Digest digest) {
        if (touched.contains(digest)) {
            return false;
        }
        deleting.merge(digest, 1, Integer::sum);
        return true;
    }

    /** The collector is done with a digest it claimed (deleted or failed to). */
    public synchronized void release(Digest digest) {
        deleting.computeIfPresent(digest, (d, n) -> n == 1 ? null : n - 1);
        notifyAll();
    }

    /** The collection is over. */
    public synchronized void end() {
        tracking = false;
        touched.clear();
        deleting.clear();
        notifyAll();
    }
}
