package dev.berth.server.limits;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code headertimeout}: closes a connection that has not delivered the complete headers of its first request this
 * long after it opened, TLS handshake and ALPN included, and counts it as {@code header_timeout}. Without it a client
 * that sends a request line a byte at a time (slowloris) holds its connection, and a thread of a platform pool, for
 * the idle timeout after every byte.
 *
 * <p>One deadline per socket: it is armed when the connection on the network endpoint opens (an {@link SslConnection}
 * over TLS, the HTTP connection otherwise) and not for connections on a decrypted endpoint, and disarmed when that
 * connection closes. When it expires, it asks the connection that speaks HTTP (under TLS, the one on the decrypted
 * endpoint, whatever ALPN made of it) for {@link Connection#getMessagesIn()}: Jetty's HTTP/1 connection counts a
 * request once its headers are complete, HTTP/2 once a stream's HEADERS arrived. Anything else (a handshake or ALPN
 * still going on) has received no request.
 *
 * <p>Only the first request has a deadline: a kept-alive connection waiting for its next request is bounded by the
 * idle timeout alone, as are HTTP/2 streams after the first.
 */
final class HeaderTimeout implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderTimeout.class);

    private final long millis;
    private final Scheduler scheduler;
    private final Consumer<String> hits;

    HeaderTimeout(Duration timeout, Scheduler scheduler, Consumer<String> hits) {
        this.millis = timeout.toMillis();
        this.scheduler = scheduler;
        this.hits = hits;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection.getEndPoint() instanceof EndPoint.Wrapper) {
            return; // a decrypted endpoint: its socket has its deadline already
        }
        Deadline deadline = new Deadline(connection.getEndPoint());
        connection.addEventListener(deadline);
        deadline.task = scheduler.schedule(deadline, millis, TimeUnit.MILLISECONDS);
    }

    /** Whether the connection speaking HTTP on {@code endPoint} has received a request's headers. */
    static boolean requestArrived(EndPoint endPoint) {
        Connection connection = endPoint.getConnection();
        while (connection instanceof SslConnection ssl) {
            connection = ssl.getSslEndPoint().getConnection();
        }
        return connection != null && connection.getMessagesIn() > 0;
    }

    private final class Deadline implements Runnable, Connection.Listener {
        private final EndPoint endPoint;
        volatile Scheduler.Task task;

        Deadline(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        @Override
        public void run() {
            if (!endPoint.isOpen() || requestArrived(endPoint)) {
                return;
            }
            hits.accept("header_timeout");
            LOG.debug("closing the connection from {}: no complete request headers within {} ms"
                    + " (http.limits.headertimeout)", endPoint.getRemoteSocketAddress(), millis);
            endPoint.close(new TimeoutException("no complete request headers within " + millis + " ms"));
        }

        @Override
        public void onClosed(Connection connection) {
            // A connection also closes when it is replaced on an open endpoint (an upgrade); the deadline stays then.
            Scheduler.Task t = task;
            if (!endPoint.isOpen() && t != null) {
                t.cancel(); // frees the endpoint now rather than when the deadline comes
            }
        }
    }
}
