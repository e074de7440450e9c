package dev.berth.server.limits;

import dev.berth.server.config.ServerConfig;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Jetty connector that enforces the connection half of {@code http.limits}: {@code idletimeout},
 * {@code headertimeout}, {@code maxconnections} and {@code maxconnectionsperclient}. The body rates and
 * {@code bodytimeout} are the servlet's to enforce, as only it knows which body is a blob and which a manifest.
 *
 * <p>A graceful stop closes the connections that are idle between requests within a second, as Jetty does, but
 * leaves a connection whose request is in flight its normal idle timeout: an upload that pauses for a second while the
 * server drains is finished, not cut (Jetty shortens every connection's idle timeout to one second). For that the
 * connector must see the requests: put {@link #requestTracker()} in the handler chain.
 *
 * <p>Each limit that fires is reported by name (the names of {@code RegistryMetrics.LIMITS}) to the {@code hits}
 * consumer, which must be thread-safe and fast: it runs on Jetty's selector and acceptor threads.
 */
public final class LimitedConnector extends ServerConnector {
    private final Consumer<String> hits;
    private final TotalConnectionLimit total;
    private final InFlightRequests inFlight = new InFlightRequests();
    /** How long a connection idle between requests stays open once a graceful stop began (Jetty's default). */
    static final long IDLE_AT_SHUTDOWN_MS = 1000;

    /**
     * A connector of {@code server} speaking what {@code factories} speak (the first is the one a connection starts
     * with), not yet added to it; its host and port are set as on any {@link ServerConnector}.
     */
    public LimitedConnector(Server server, ServerConfig.Limits limits, Consumer<String> hits,
            ConnectionFactory... factories) {
        super(server, factories);
        this.hits = Objects.requireNonNull(hits, "hits");
        setIdleTimeout(limits.idleTimeout().toMillis());
        setShutdownIdleTimeout(-1); // Jetty would shorten every connection's; shutdown() shortens the idle ones'
        // Jetty tells accept listeners in the order they were added. The per-client cap goes first: it refuses before
        // the total counts, and when a connection closes it frees the client's place before the total (and with it
        // the open-connections gauge) drops, so a gauge that dropped means the client may connect again.
        if (limits.perClientCap()) {
            installBean(new ClientConnectionLimit(limits.maxConnectionsPerClient(), hits));
        }
        this.total = new TotalConnectionLimit(limits.maxConnections(), this, hits);
        installBean(total);
        installBean(new HeaderTimeout(limits.headerTimeout(), getScheduler(), hits));
    }

    /**
     * The handler that tells this connector which connections have a request in flight: wrap the server's handlers
     * in it (inside Jetty's {@code GracefulHandler}). It is the same handler on every call.
     */
    public Handler.Wrapper requestTracker() {
        return inFlight;
    }

    /**
     * Stops accepting, and gives the connections with no request in flight one second before they are closed for
     * idleness; those with a request keep their idle timeout, and Jetty closes them once the response is complete.
     * A request that arrives on an idle connection from now on is answered 503 by the graceful handler.
     */
    @Override
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> done = super.shutdown(); // Jetty's own shortening is off: see the constructor
        shortenIdle(done);
        return done;
    }

    /**
     * Gives every connection without a request in flight the short idle timeout, and looks again every quarter of a
     * second until the stop is done: a request that ends, or a connection accepted as the stop began, is caught then.
     */
    private void shortenIdle(CompletableFuture<Void> done) {
        if (done.isDone() || !isRunning()) {
            return;
        }
        for (EndPoint endPoint : getConnectedEndPoints()) {
            if (!inFlight.busy(endPoint) && endPoint.getIdleTimeout() > IDLE_AT_SHUTDOWN_MS) {
                endPoint.setIdleTimeout(IDLE_AT_SHUTDOWN_MS);
            }
        }
        try {
            getScheduler().schedule(() -> shortenIdle(done), 250, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the connector's scheduler stopped with it: nothing is left to look at
        }
    }

    /** The network connections open now (those accepted and not yet closed). */
    public int openConnections() {
        return total.getNetworkConnectionCount();
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key)
            throws IOException {
        // The network endpoint is the one place where an idle timeout shows as itself, once per socket, whatever the
        // protocol above it; the connection is told afterwards and may turn it into a failed request instead.
        SocketChannelEndPoint endPoint = new SocketChannelEndPoint(channel, selector, key, getScheduler()) {
            @Override
            protected void onIdleExpired(TimeoutException timeout) {
                hits.accept("idle_timeout");
                super.onIdleExpired(timeout);
            }
        };
        endPoint.setIdleTimeout(getIdleTimeout());
        return endPoint;
    }
}
