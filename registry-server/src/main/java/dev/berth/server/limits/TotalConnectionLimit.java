package dev.berth.server.limits;

import java.util.function.Consumer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;

/**
 * {@code maxconnections}: Jetty's own cap on open network connections, which stops accepting at the cap (new clients
 * wait in the kernel's backlog rather than being refused) and resumes when one closes; counted as {@code connections}
 * each time the cap is reached.
 */
final class TotalConnectionLimit extends NetworkConnectionLimit {
    private final Consumer<String> hits;

    TotalConnectionLimit(int max, Connector connector, Consumer<String> hits) {
        super(max, connector);
        this.hits = hits;
    }

    @Override
    protected void limit() {
        super.limit();
        hits.accept("connections");
    }
}
