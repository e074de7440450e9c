package dev.berth.spring.boot.autoconfigure;

import dev.berth.auth.token.TokenAuthenticator;
import dev.berth.auth.token.TokenIssuer;
import dev.berth.auth.token.TokenServlet;
import dev.berth.registry.auth.AuthProviders;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * {@code berth.auth.token.builtin}: the application issues the tokens its registry verifies, as the server's
 * {@code auth.token.builtin} does, at {@value #TOKEN_PATH} of the application's server, to the users of an htpasswd
 * file ({@code berth.auth.token.builtin.htpasswd.path}) and scoped by {@code berth.access}. The registry trusts the
 * issuer's key and nothing else. Needs the module {@code auth-token} on the class path.
 */
@AutoConfiguration(before = BerthAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "berth.enabled", matchIfMissing = true)
@ConditionalOnClass(TokenIssuer.class)
@Conditional(BerthTokenAutoConfiguration.BuiltinConfigured.class)
public class BerthTokenAutoConfiguration {
    /** Where the token endpoint answers, as on the server; {@code berth.auth.token.realm} points clients to it. */
    public static final String TOKEN_PATH = "/auth/token";
    /** The name of the token endpoint's registration bean. */
    public static final String TOKEN_SERVLET_BEAN = "berthTokenServlet";

    private static final String PREFIX = "berth.auth.token";
    private static final Set<String> TOKEN_KEYS = Set.of("realm", "service", "issuer");

    /** The issuer, its verifier and the users who may log in; closed with the application. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public BuiltinTokenIssuer berthBuiltinTokenIssuer(Environment environment,
            ObjectProvider<AccessController> access) {
        Map<String, Object> token = BerthAutoConfiguration.section(environment, PREFIX);
        Map<String, Object> builtin = new LinkedHashMap<>(BerthAutoConfiguration.parameters(token, "builtin",
                PREFIX + ".builtin"));
        token.remove("builtin");
        Set<String> unknown = new TreeSet<>(token.keySet());
        unknown.removeAll(TOKEN_KEYS);
        if (!unknown.isEmpty()) {
            throw new BerthConfigurationException(PREFIX + "." + unknown.iterator().next(), "not used with "
                    + PREFIX + ".builtin: the registry trusts the built-in issuer's key (remove "
                    + String.join(", ", unknown) + ")");
        }
        String realm = required(token, "realm");
        Object users = builtin.remove("htpasswd");
        if (users == null) {
            throw new BerthConfigurationException(PREFIX + ".builtin.htpasswd.path", "missing: the issuer needs to"
                    + " know who may log in (an htpasswd file)");
        }
        Map<String, Object> usersSection = BerthAutoConfiguration.parameters(Map.of("htpasswd", users), "htpasswd",
                PREFIX + ".builtin.htpasswd");
        Authenticator credentials = BerthAutoConfiguration.plugin(PREFIX + ".builtin.htpasswd",
                () -> AuthProviders.create("htpasswd", usersSection));
        builtin.put("issuer", required(token, "issuer"));
        builtin.put("service", required(token, "service"));
        try {
            // The rules are asked when a token is issued, not now: they are a bean that needs this one's verifier.
            AccessController rules = new LazyAccess(access);
            TokenIssuer issuer = BerthAutoConfiguration.plugin(PREFIX + ".builtin",
                    () -> TokenIssuer.fromConfig(builtin, rules));
            return new BuiltinTokenIssuer(issuer, issuer.authenticator(realm), credentials);
        } catch (RuntimeException e) {
            credentials.close();
            throw e;
        }
    }

    /** The registry's callers are those who present the issuer's tokens. */
    @Bean(destroyMethod = "") // BuiltinTokenIssuer closes it
    @ConditionalOnMissingBean
    public Authenticator berthAuthenticator(BuiltinTokenIssuer builtin) {
        return builtin.verifier();
    }

    /** The token endpoint, at {@value #TOKEN_PATH}. */
    @Bean(TOKEN_SERVLET_BEAN)
    @ConditionalOnMissingBean(name = TOKEN_SERVLET_BEAN)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    public ServletRegistrationBean<TokenServlet> berthTokenServlet(BuiltinTokenIssuer builtin,
            BerthProperties properties, ObjectProvider<ServletOptions.LimitListener> limits) {
        ServletOptions.LimitListener listener = limits.getIfUnique(() -> ServletOptions.LimitListener.NONE);
        TokenServlet servlet = new TokenServlet(builtin.issuer(), builtin.credentials())
                .withLimits(properties.getHttp().getLimits().getBodytimeout(), listener::limitHit);
        ServletRegistrationBean<TokenServlet> registration = new ServletRegistrationBean<>(servlet, TOKEN_PATH);
        registration.setName("berthToken");
        registration.setAsyncSupported(true); // the form of a POST is read without holding a thread
        return registration;
    }

    private static String required(Map<String, Object> token, String key) {
        Object v = token.get(key);
        if (v == null || v.toString().isBlank()) {
            throw new BerthConfigurationException(PREFIX + "." + key, "required with " + PREFIX + ".builtin");
        }
        return v.toString();
    }

    /**
     * The built-in issuer: it signs tokens, its {@link #verifier()} checks them for the registry, and
     * {@link #credentials()} checks who may log in at the token endpoint.
     */
    public record BuiltinTokenIssuer(TokenIssuer issuer, TokenAuthenticator verifier, Authenticator credentials)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                verifier.close();
            } finally {
                credentials.close();
            }
        }
    }

    /** The access controller bean, looked up when first asked. */
    private record LazyAccess(ObjectProvider<AccessController> access) implements AccessController {
        @Override
        public boolean permits(Principal principal, RepositoryName repository, Action action) {
            return access.getObject().permits(principal, repository, action);
        }

        @Override
        public boolean permitsCatalog(Principal principal) {
            return access.getObject().permitsCatalog(principal);
        }
    }

    /** Whether {@code berth.auth.token.builtin} is set. */
    static final class BuiltinConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            boolean set = BerthAutoConfiguration.section(context.getEnvironment(), PREFIX).containsKey("builtin");
            return set ? ConditionOutcome.match(PREFIX + ".builtin is set")
                    : ConditionOutcome.noMatch("no " + PREFIX + ".builtin");
        }
    }
}
