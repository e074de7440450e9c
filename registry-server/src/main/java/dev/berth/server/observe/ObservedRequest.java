package dev.berth.server.observe;

import dev.berth.registry.servlet.RegistryRoute;
import java.util.Objects;

/**
 * What {@link ObservingHandler} saw of one finished request: the input of {@link RegistryMetrics#record} and
 * {@link AccessLog#format}. Holds the query as received; {@link AccessLog} masks it before it is written anywhere.
 *
 * @param remoteAddress the client's address as Jetty reports it (the proxy's, unless a {@code
 *     ForwardedRequestCustomizer} is configured)
 * @param method the HTTP method as sent
 * @param path the raw (percent-encoded) path as requested, without the query
 * @param query the raw query, or null when there is none
 * @param route the endpoint addressed, classified from the path relative to the registry's context
 * @param status the response status
 * @param bytesReceived request content bytes the application read
 * @param bytesSent response content bytes the application wrote (headers excluded)
 * @param durationNanos from the start of the request to its completion
 * @param user who the caller was authenticated as, or null when not known
 */
public record ObservedRequest(String remoteAddress, String method, String path, String query, RegistryRoute route,
        int status,
        long bytesReceived, long bytesSent, long durationNanos, String user) {

    public ObservedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(route, "route");
    }

    /** Whether the query has a parameter named {@code name} (exactly; values are not decoded). */
    public boolean hasQueryParameter(String name) {
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            if ((eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
                return true;
            }
        }
        return false;
    }
}
