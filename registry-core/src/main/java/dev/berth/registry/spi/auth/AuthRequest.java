package dev.berth.registry.spi.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What an {@link Authenticator} may look at in a request: headers, the peer, a TLS client certificate. */
public interface AuthRequest {
    /** The first value of a request header, e.g. {@code Authorization}. */
    Optional<String> header(String name);

    /** The peer's IP address as the server saw it. */
    String remoteAddress();

    /** The verified TLS client certificate chain (mTLS), leaf first; empty without one. */
    default List<X509Certificate> clientCertificates() {
        return List.of();
    }

    /** An {@link AuthRequest} of given headers, for tests and for embedders that authenticate outside HTTP. */
    static AuthRequest of(Map<String, String> headers, String remoteAddress) {
        Map<String, String> lower = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        lower.putAll(headers);
        return new AuthRequest() {
            @Override
            public Optional<String> header(String name) {
                return Optional.ofNullable(lower.get(name));
            }

            @Override
            public String remoteAddress() {
                return remoteAddress;
            }
        };
    }
}
