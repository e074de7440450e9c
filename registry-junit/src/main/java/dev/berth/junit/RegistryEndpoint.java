package dev.berth.junit;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * What a client needs to reach a registry a {@link BerthRegistryExtension} started: where it is, the credentials of
 * its first user when it has users, and for TLS a context that trusts the generated CA and the CA's PEM file.
 *
 * @param scheme     {@code http} or {@code https}
 * @param host       the loopback address the registry listens on, {@code 127.0.0.1}
 * @param port       the port it was given
 * @param username   the first user's name, when the registry has users
 * @param password   that user's password
 * @param sslContext with TLS, a context that trusts the registry's CA (and presents no client certificate)
 * @param caFile     with TLS, the CA certificate as a PEM file (for {@code skopeo --cert-dir}, {@code curl --cacert})
 */
public record RegistryEndpoint(String scheme, String host, int port, Optional<String> username,
        Optional<String> password, Optional<SSLContext> sslContext, Optional<Path> caFile) {
    public RegistryEndpoint {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(caFile, "caFile");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme must be http or https: " + scheme);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("username and password go together");
        }
        if (sslContext.isPresent() != scheme.equals("https")) {
            throw new IllegalArgumentException("an SSLContext goes with https, and only with it");
        }
    }

    /** {@code host:port}: what an image reference starts with, e.g. for jib or skopeo. */
    public String authority() {
        return host + ":" + port;
    }

    /** The registry's base URL, {@code http://127.0.0.1:port}; its API is under {@code /v2/}. */
    public URI uri() {
        return URI.create(scheme + "://" + authority());
    }

    /** An image reference in this registry: {@code image("team/app:1")} is {@code 127.0.0.1:port/team/app:1}. */
    public String image(String repositoryAndTag) {
        return authority() + "/" + repositoryAndTag;
    }

    public boolean tls() {
        return scheme.equals("https");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "RegistryEndpoint[" + uri() + username.map(u -> ", user " + u).orElse("")
                + caFile.map(f -> ", CA " + f).orElse("") + "]";
    }
}
