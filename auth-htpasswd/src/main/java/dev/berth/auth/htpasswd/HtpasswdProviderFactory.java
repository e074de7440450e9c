package dev.berth.auth.htpasswd;

import dev.berth.registry.spi.Parameters;
import dev.berth.registry.spi.auth.AuthProviderFactory;
import dev.berth.registry.spi.auth.Authenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code auth: htpasswd}, with distribution's parameter names:
 * <ul>
 * <li>{@code path} (required): the htpasswd file; it must be readable and well-formed at startup.</li>
 * <li>{@code realm}: the realm of the Basic challenge, default {@value HtpasswdAuthenticator#DEFAULT_REALM}
 *     (distribution requires it; Berth defaults it).</li>
 * <li>{@code cachettl}: how long a successful verification is remembered, Berth's own: seconds as a number, or
 *     a Go duration such as {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h30m}; default {@code 60s}, {@code 0}
 *     turns the cache off.</li>
 * </ul>
 * Any other parameter is an error that names it.
 */
public final class HtpasswdProviderFactory implements AuthProviderFactory {

    @Override
    public String name() {
        return "htpasswd";
    }

    @Override
    public Authenticator create(Map<String, ?> parameters) {
        Parameters p = Parameters.of("auth.htpasswd", parameters).rejectUnknown("path", "realm", "cachettl");
        Path path = p.path("path").orElseThrow(() -> p.invalid("path", "required: the htpasswd file to read"));
        String realm = p.string("realm", HtpasswdAuthenticator.DEFAULT_REALM);
        Duration cacheTtl = p.duration("cachettl", HtpasswdAuthenticator.DEFAULT_CACHE_TTL);
        return new HtpasswdAuthenticator(realm, path, cacheTtl);
    }
}
