package dev.berth.server.limits;

import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Which connections have a request in flight (from its dispatch to its last byte), so that a graceful stop can tell a
 * connection that is idle between requests from one whose request is still arriving or being answered.
 */
final class InFlightRequests extends Handler.Wrapper {
    /** Requests in flight per connection (HTTP/2 has several on one); a connection with none is not in the map. */
    private final ConcurrentHashMap<Connection, Integer> busy = new ConcurrentHashMap<>();

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Connection connection = request.getConnectionMetaData().getConnection();
        busy.merge(connection, 1, Integer::sum);
        boolean handled = false;
        try {
            // Not busy from the moment the handler is done: were the count dropped after Jetty's callback, a stop in
            // between would find a connection that is already idle counted as busy, and wait for it.
            handled = super.handle(request, response, Callback.from(() -> ended(connection), callback));
            return handled;
        } finally {
            if (!handled) {
                ended(connection); // not taken (or it threw): our callback will never complete
            }
        }
    }

    private void ended(Connection connection) {
        busy.computeIfPresent(connection, (c, n) -> n == 1 ? null : n - 1);
    }

    /** Whether a request is in flight on the connection of this network endpoint (under TLS, the one inside it). */
    boolean busy(EndPoint network) {
        Connection connection = network.getConnection();
        if (connection instanceof SslConnection ssl) {
            connection = ssl.getSslEndPoint().getConnection();
        }
        return connection != null && busy.containsKey(connection);
    }
}
