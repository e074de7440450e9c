package dev.berth.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry under test ({@code http://host:port}) and the local addresses client connections come from: with
 * {@code sources} K of 2 or more, connection i is bound to 127.0.0.(2 + i mod (K - 1)), i.e. the connections are
 * spread over 127.0.0.2..127.0.0.K (Linux routes all of 127.0.0.0/8 to the loopback interface), so a server's
 * per-client-address connection cap can be hit (K = 2: all from one address) or avoided (large K).
 */
final class Target {
    final InetSocketAddress address;
    final String hostHeader;
    private final List<InetAddress> sources = new ArrayList<>();

    Target(String url, int sources) throws IOException {
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--url must be http://host:port, not " + url);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.address = new InetSocketAddress(uri.getHost(), port);
        this.hostHeader = uri.getHost() + ":" + port;
        if (sources == 1 || sources > 255) {
            throw new IllegalArgumentException("--sources is 0 (the kernel picks) or 2..255 (127.0.0.2..127.0.0.K)");
        }
        for (int i = 2; i <= sources; i++) {
            this.sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
        }
    }

    /** The local address of connection {@code index}, or null when the kernel picks it. */
    InetAddress source(int index) {
        return sources.isEmpty() ? null : sources.get(index % sources.size());
    }

    String describeSources() {
        return sources.isEmpty() ? "the kernel's choice"
                : sources.size() == 1 ? sources.get(0).getHostAddress()
                : sources.get(0).getHostAddress() + ".." + sources.get(sources.size() - 1).getHostAddress();
    }

    /** A non-blocking channel from {@code source} (null: any) with a connect in progress. */
    SocketChannel connect(InetAddress source, int receiveBuffer) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (receiveBuffer > 0) { // before connect, so the window scale is chosen for it
                ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            if (source != null) {
                ch.bind(new InetSocketAddress(source, 0));
            }
            ch.connect(address);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
