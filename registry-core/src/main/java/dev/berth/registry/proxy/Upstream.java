package dev.berth.registry.proxy;

import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.model.RepositoryName;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A registry this one pulls through from: repositories under {@code prefix} here are the upstream's repositories of
 * the same name without the prefix ({@code docker.io/library/alpine} here is {@code library/alpine} at
 * {@code https://registry-1.docker.io}). An empty prefix maps every repository (distribution's single
 * {@code proxy.remoteurl}). A tag fetched from the upstream is served from storage for {@code ttl}, then
 * revalidated; content by digest never changes and is never revalidated.
 *
 * @param prefix     the local repository prefix, e.g. {@code docker.io}; empty for every repository
 * @param url        the upstream's base URL, e.g. {@code https://registry-1.docker.io}
 * @param username   credentials for the upstream (Basic, or for its token server), when it needs them
 * @param password   the password or token that goes with {@code username}
 * @param ttl        how long a tag is served without asking the upstream again
 * @param sslContext whom to trust over https (e.g. a private CA's certificate); empty: the JVM's default trust
 *                   ({@code javax.net.ssl.trustStore}, else the JDK's {@code cacerts}), as the server uses it
 */
public record Upstream(String prefix, URI url, Optional<String> username, Optional<String> password, Duration ttl,
        Optional<SSLContext> sslContext) {
    public Upstream {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(sslContext, "sslContext");
        if (!prefix.isEmpty() && !RepositoryName.isValid(prefix)) {
            throw new IllegalArgumentException("prefix '" + prefix + "' is not a valid repository name prefix");
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException("url must be an http or https URL: " + Urls.redact(url));
        }
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
    }

    /** An upstream trusted as the JVM trusts (no {@link #sslContext}). */
    public Upstream(String prefix, URI url, Optional<String> username, Optional<String> password, Duration ttl) {
        this(prefix, url, username, password, ttl, Optional.empty());
    }

    /** An upstream for every repository, without credentials, with distribution's default ttl (7 days). */
    public static Upstream of(String url) {
        return new Upstream("", URI.create(url), Optional.empty(), Optional.empty(), Duration.ofDays(7));
    }

    public Upstream withPrefix(String prefix) {
        return new Upstream(prefix, url, username, password, ttl, sslContext);
    }

    public Upstream withCredentials(String username, String password) {
        return new Upstream(prefix, url, Optional.of(username), Optional.of(password), ttl, sslContext);
    }

    public Upstream withTtl(Duration ttl) {
        return new Upstream(prefix, url, username, password, ttl, sslContext);
    }

    /**
     * Connections to the upstream (and to its token server and redirect targets) trust what {@code context} trusts
     * instead of the JVM's default: for an upstream whose certificate a private CA signed.
     */
    public Upstream withSslContext(SSLContext context) {
        return new Upstream(prefix, url, username, password, ttl, Optional.of(context));
    }

    /** The upstream's name for a local repository, when this upstream serves it. */
    public Optional<String> remoteName(RepositoryName local) {
        if (prefix.isEmpty()) {
            return Optional.of(local.value());
        }
        String v = local.value();
        return v.startsWith(prefix + "/") ? Optional.of(v.substring(prefix.length() + 1)) : Optional.empty();
    }

    /** The URL as it may be printed: a password in it masked ({@link Urls#redact(URI)}). */
    public String redactedUrl() {
        return Urls.redact(url);
    }

    @Override
    public String toString() {
        return "Upstream[" + (prefix.isEmpty() ? "*" : prefix + "/*") + " -> " + redactedUrl() + (username.isPresent()
                ? " as " + username.get() : "") + ", ttl=" + ttl + (sslContext.isPresent() ? ", own trust" : "")
                + "]"; // never the password
    }
}
