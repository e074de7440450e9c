package dev.berth.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.Parameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code auth.token} section, read and checked, with the trusted key files loaded: {@code realm},
 * {@code service}, {@code issuer} (all required), {@code rootcertbundle} and/or {@code jwks} (at least one),
 * {@code signingalgorithms} (optional; one name or a list, narrowing {@link TokenAuthenticator#SUPPORTED_ALGORITHMS}),
 * {@code autoredirect} and {@code autoredirectpath} (checked, then not used).
 */
record TokenConfig(String realm, String service, String issuer, List<X509Certificate> roots, JWKSet jwks,
        Set<JWSAlgorithm> algorithms) {
    static final String NAME = "auth.token";
    static final List<String> PARAMETERS = List.of("realm", "service", "issuer", "rootcertbundle", "jwks",
            "signingalgorithms", "autoredirect", "autoredirectpath");

    /** @throws dev.berth.registry.spi.ParameterException naming the parameter that is missing, unknown or wrong */
    static TokenConfig parse(Map<String, ?> parameters) {
        Parameters p = Parameters.of(NAME, parameters).rejectUnknown(PARAMETERS);
        String realm = p.requiredString("realm");
        String service = p.requiredString("service");
        String issuer = p.requiredString("issuer");
        Optional<Path> bundle = p.path("rootcertbundle");
        Optional<Path> jwksFile = p.path("jwks");
        if (bundle.isEmpty() && jwksFile.isEmpty()) {
            throw p.invalid("rootcertbundle", "required unless " + NAME + ".jwks is given (the keys tokens are"
                    + " signed with)");
        }
        p.bool("autoredirect", false);
        p.string("autoredirectpath");
        List<X509Certificate> roots = bundle.map(b -> Keys.readCertificates(b, p, "rootcertbundle"))
                .orElse(List.of());
        JWKSet jwks = jwksFile.map(f -> readJwks(p, f)).orElseGet(JWKSet::new);
        return new TokenConfig(realm, service, issuer, roots, jwks, algorithms(p));
    }

    private static Set<JWSAlgorithm> algorithms(Parameters p) {
        if (!p.has("signingalgorithms")) {
            return TokenAuthenticator.SUPPORTED_ALGORITHMS;
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String a : p.strings("signingalgorithms")) {
            JWSAlgorithm alg = JWSAlgorithm.parse(a.trim());
            if (!TokenAuthenticator.SUPPORTED_ALGORITHMS.contains(alg)) {
                throw p.invalid("signingalgorithms", "'" + a + "' is not supported ("
                        + TokenAuthenticator.SUPPORTED_ALGORITHMS.stream().map(JWSAlgorithm::getName).sorted()
                                .collect(Collectors.joining(", ")) + ")");
            }
            algorithms.add(alg);
        }
        if (algorithms.isEmpty()) {
            throw p.invalid("signingalgorithms", "empty");
        }
        return algorithms;
    }

    private static JWKSet readJwks(Parameters p, Path file) {
        String problem;
        Exception cause;
        try {
            return JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            problem = "no such file " + file;
            cause = e;
        } catch (IOException e) {
            problem = "cannot read " + file + ": " + Failures.describe(e);
            cause = e;
        } catch (ParseException e) {
            problem = file + " is not a JWK set: " + Failures.describe(e);
            cause = e;
        }
        ParameterException error = p.invalid("jwks", problem);
        error.initCause(cause);
        throw error;
    }
}
