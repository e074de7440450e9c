package dev.berth.server.limits;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.IO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code maxconnectionsperclient}: at most so many open connections from one IP address; a connection past that is
 * closed as soon as it is accepted, before any TLS handshake or parsing costs the server anything, and counted as
 * {@code per_client_connections}.
 *
 * <p>It listens to accepts rather than to {@code Connection}s, so that each socket counts once: over TLS one socket
 * carries an {@code SslConnection} and the HTTP connection on its decrypted endpoint, and an ALPN negotiation replaces
 * one connection with another. The address is the socket's peer: behind a proxy or a NAT, every client behind it is
 * one client. Each IPv6 address counts on its own, so a client with a whole prefix is not held by this cap (only by
 * {@code maxconnections}).
 *
 * <p>Thread-safe: Jetty calls it from acceptor and selector threads at once.
 */
final class ClientConnectionLimit implements SelectorManager.AcceptListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnectionLimit.class);

    private final int max;
    private final Consumer<String> hits;
    private final ConcurrentMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    // The address of each counted channel: a closed channel no longer tells its peer.
    private final ConcurrentMap<SelectableChannel, InetAddress> counted = new ConcurrentHashMap<>();

    ClientConnectionLimit(int max, Consumer<String> hits) {
        if (max < 1) {
            throw new IllegalArgumentException("maxconnectionsperclient: must be at least 1 to cap, not " + max);
        }
        this.max = max;
        this.hits = hits;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        InetAddress address = peer(channel);
        if (address == null) {
            return; // closed already (by the total cap), or gone before we looked
        }
        if (open.merge(address, 1, Integer::sum) > max) {
            release(address);
            hits.accept("per_client_connections");
            LOG.debug("closing a connection from {}: it has {} open already (http.limits.maxconnectionsperclient)",
                    address.getHostAddress(), max);
            IO.close(channel); // Jetty then reports onAcceptFailed, which finds nothing counted
            return;
        }
        counted.put(channel, address);
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        forget(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        forget(channel);
    }

    private void forget(SelectableChannel channel) {
        InetAddress address = counted.remove(channel);
        if (address != null) {
            release(address);
        }
    }

    private void release(InetAddress address) {
        open.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }

    private static InetAddress peer(SelectableChannel channel) {
        if (!(channel instanceof SocketChannel socket) || !socket.isOpen()) {
            return null;
        }
        try {
            SocketAddress remote = socket.getRemoteAddress();
            return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
