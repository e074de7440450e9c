package dev.berth.registry.internal.proxy;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.proxy.Upstream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry's upstreams: which one serves a repository (the longest matching prefix), and the blob fetches in
 * flight, so that concurrent misses of one blob fetch it once.
 */
public final class PullThrough implements AutoCloseable {
    /** No upstreams: every repository is local. */
    public static final PullThrough NONE = new PullThrough(List.of(), Duration.ofSeconds(30));

    private final List<UpstreamClient> clients;
    private final ConcurrentHashMap<Digest, CompletableFuture<Void>> fetching = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Optional<UpstreamClient.Fetched>>> manifestFetches =
            new ConcurrentHashMap<>();
    private final ExecutorService fetchers;

    /** Where a repository's content comes from when it is not in storage. */
    public record Target(UpstreamClient client, String remote, PullThrough owner) {
        public Upstream upstream() {
            return client.upstream();
        }
    }

    public PullThrough(List<Upstream> upstreams, Duration timeout) {
        List<UpstreamClient> list = new ArrayList<>();
        upstreams.stream().sorted(Comparator.comparingInt((Upstream u) -> u.prefix().length()).reversed())
                .forEach(u -> list.add(new UpstreamClient(u, timeout)));
        this.clients = List.copyOf(list);
        AtomicInteger n = new AtomicInteger();
        this.fetchers = clients.isEmpty() ? null : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "berth-pull-through-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public boolean enabled() {
        return !clients.isEmpty();
    }

    /** The clients of the upstreams, the longest prefix first. */
    public List<UpstreamClient> clients() {
        return clients;
    }

    public List<Upstream> upstreams() {
        return clients.stream().map(UpstreamClient::upstream).toList();
    }

    /** The upstream serving {@code name}, when one does. */
    public Optional<Target> target(RepositoryName name) {
        for (UpstreamClient c : clients) {
            Optional<String> remote = c.upstream().remoteName(name);
            if (remote.isPresent()) {
                return Optional.of(new Target(c, remote.get(), this));
            }
        }
        return Optional.empty();
    }

    /**
     * The manifest {@code reference} of the target's repository upstream, asked for once however many requests
     * miss it at the same moment (the others wait for that answer, success or failure).
     */
    public Optional<UpstreamClient.Fetched> manifest(Target target, String reference) throws IOException {
        String key = target.upstream().url() + " " + target.remote() + " " + reference;
        CompletableFuture<Optional<UpstreamClient.Fetched>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<UpstreamClient.Fetched>> running = manifestFetches.putIfAbsent(key, mine);
        if (running == null) {
            try {
                Optional<UpstreamClient.Fetched> fetched = target.client().manifest(target.remote(), reference);
                mine.complete(fetched);
                return fetched;
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                manifestFetches.remove(key, mine);
            }
        }
        try {
            return running.get(BlobFetch.WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the upstream", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new IOException(Failures.describe(io), io);
            }
            throw new IOException("fetching the manifest from the upstream failed: " + Failures.describe(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the upstream is still answering another request for this manifest", e);
        }
    }

    /** The fetches in flight, by digest. */
    public ConcurrentHashMap<Digest, CompletableFuture<Void>> fetching() {
        return fetching;
    }

    /** Where fetches run, so that one continues into storage when the client that started it goes away. */
    public ExecutorService fetchers() {
        return fetchers;
    }

    @Override
    public void close() {
        if (fetchers != null) {
            fetchers.shutdownNow();
        }
    }
}
