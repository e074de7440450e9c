package dev.berth.server.limits;

import dev.berth.server.config.ServerConfig;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Jetty connector that enforces the connection half of {@code http.limits}: {@code idletimeout},
 * {@code headertimeout}, {@code maxconnections} and {@code maxconnectionsperclient}. The body rates and
 * {@code bodytimeout} are the servlet's to enforce, as only it knows which body is a blob and which a manifest.
 *
 * <p>Each limit that fires is reported by name (the names of {@code RegistryMetrics.LIMITS}) to the {@code hits}
 * consumer, which must be thread-safe and fast: it runs on Jetty's selector and acceptor threads.
 */
public final class LimitedConnector extends ServerConnector {
    private final Consumer<String> hits;
    private final TotalConnectionLimit total;

    /**
     * A connector of {@code server} speaking what {@code factories} speak (the first is the one a connection starts
     * with), not yet added to it; its host and port are set as on any {@link ServerConnector}.
     */
    public LimitedConnector(Server server, ServerConfig.Limits limits, Consumer<String> hits,
            ConnectionFactory... factories) {
        super(server, factories);
        this.hits = Objects.requireNonNull(hits, "hits");
        setIdleTimeout(limits.idleTimeout().toMillis());
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
