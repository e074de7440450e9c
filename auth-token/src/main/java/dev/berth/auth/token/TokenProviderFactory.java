package dev.berth.auth.token;

import dev.berth.registry.spi.auth.AuthProviderFactory;
import dev.berth.registry.spi.auth.Authenticator;
import java.util.Map;

/**
 * The {@code token} auth provider: builds a {@link TokenAuthenticator} from the {@code auth.token} section
 * (distribution's parameters: {@code realm}, {@code service}, {@code issuer}, {@code rootcertbundle}, {@code jwks},
 * {@code signingalgorithms}, {@code autoredirect}, {@code autoredirectpath}).
 */
public final class TokenProviderFactory implements AuthProviderFactory {
    @Override
    public String name() {
        return "token";
    }

    @Override
    public Authenticator create(Map<String, ?> parameters) {
        return TokenAuthenticator.fromParameters(parameters);
    }
}
