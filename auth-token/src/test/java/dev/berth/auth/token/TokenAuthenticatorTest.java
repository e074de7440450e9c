package dev.berth.auth.token;

import static dev.berth.auth.token.TestPki.ISSUER;
import static dev.berth.auth.token.TestPki.SERVICE;
import static dev.berth.auth.token.TestPki.access;
import static dev.berth.auth.token.TestPki.claims;
import static dev.berth.auth.token.TestPki.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenAuthenticatorTest {
    static KeyPair rsa;
    static KeyPair p256;
    static KeyPair p384;
    static KeyPair p521;
    static KeyPair ed;
    static KeyPair stranger;
    static KeyPair rootKeys;
    static KeyPair intermediateKeys;
    static KeyPair leafKeys;
    static X509Certificate root;
    static X509Certificate intermediate;
    static X509Certificate leaf;
    static X509Certificate otherRoot;
    static X509Certificate otherLeaf;
    static KeyPair otherLeafKeys;
    static X509Certificate rsaCert;
    static X509Certificate edCert;

    /** Trusts the CA root plus self-signed certificates of the RSA and Ed25519 keys (for kid lookup). */
    static TokenAuthenticator bundle;
    /** Trusts the JWKS keys by kid. */
    static TokenAuthenticator jwks;

    @TempDir
    static Path dir;

    @BeforeAll
    static void keys() throws Exception {
        rsa = TestPki.rsa();
        p256 = TestPki.ec("secp256r1");
        p384 = TestPki.ec("secp384r1");
        p521 = TestPki.ec("secp521r1");
        ed = TestPki.ed25519();
        stranger = TestPki.ec("secp256r1");
        rootKeys = TestPki.ec("secp256r1");
        intermediateKeys = TestPki.ec("secp256r1");
        leafKeys = TestPki.ec("secp256r1");
        Instant from = Instant.now().minus(1, ChronoUnit.DAYS);
        Instant to = Instant.now().plus(30, ChronoUnit.DAYS);
        root = TestPki.ca(rootKeys, "Berth Test Root");
        intermediate = TestPki.cert(intermediateKeys, "Berth Test Intermediate", rootKeys, "Berth Test Root", true,
                from, to);
        leaf = TestPki.cert(leafKeys, "token signer", intermediateKeys, "Berth Test Intermediate", false, from, to);
        KeyPair otherRootKeys = TestPki.ec("secp256r1");
        otherRoot = TestPki.ca(otherRootKeys, "Other Root");
        otherLeafKeys = TestPki.ec("secp256r1");
        otherLeaf = TestPki.cert(otherLeafKeys, "other signer", otherRootKeys, "Other Root", false, from, to);
        rsaCert = TestPki.ca(rsa, "rsa signer");
        edCert = TestPki.ca(ed, "ed25519 signer");

        Path pem = TestPki.writePem(dir.resolve("bundle.pem"), root, rsaCert, edCert);
        bundle = TokenAuthenticator.fromParameters(Map.of("realm", "https://auth.test/token", "service", SERVICE,
                "issuer", ISSUER, "rootcertbundle", pem.toString()));

        JWKSet set = new JWKSet(List.of(Keys.toJwk(rsa.getPublic(), "rsa-1"), Keys.toJwk(p256.getPublic(), "ec-256"),
                Keys.toJwk(p384.getPublic(), "ec-384"), Keys.toJwk(p521.getPublic(), "ec-521"),
                Keys.toJwk(ed.getPublic(), "ed-1")));
        Path jwksFile = Files.writeString(dir.resolve("keys.jwks"), set.toString());
        jwks = TokenAuthenticator.fromParameters(Map.of("realm", "https://auth.test/token", "service", SERVICE,
                "issuer", ISSUER, "jwks", jwksFile.toString()));
    }

    static Authentication present(TokenAuthenticator a, String token) {
        return a.authenticate(AuthRequest.of(Map.of("Authorization", "Bearer " + token), "127.0.0.1"));
    }

    static JWTClaimsSet pullPush() {
        return claims("alice", List.of(access("repository", "team/app", "pull", "push"))).build();
    }

    static Principal accepted(TokenAuthenticator a, String token) {
        Authentication result = present(a, token);
        assertThat(result).isInstanceOf(Authentication.Authenticated.class);
        return ((Authentication.Authenticated) result).principal();
    }

    static String rejected(TokenAuthenticator a, String token) {
        Authentication result = present(a, token);
        assertThat(result).isInstanceOf(Authentication.Rejected.class);
        String reason = ((Authentication.Rejected) result).reason();
        assertThat(reason).isNotBlank().doesNotContain(token);
        for (String part : token.split("\\.")) {
            if (part.length() > 8) {
                assertThat(reason).doesNotContain(part);
            }
        }
        return reason;
    }

    static Stream<Arguments> algorithms() {
        return Stream.of(Arguments.of("RS256", "rsa-1"), Arguments.of("RS384", "rsa-1"),
                Arguments.of("RS512", "rsa-1"), Arguments.of("ES256", "ec-256"), Arguments.of("ES384", "ec-384"),
                Arguments.of("ES512", "ec-521"), Arguments.of("EdDSA", "ed-1"), Arguments.of("Ed25519", "ed-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void acceptsEverySupportedAlgorithm(String alg, String kid) throws Exception {
        KeyPair keys = switch (kid) {
            case "rsa-1" -> rsa;
            case "ec-256" -> p256;
            case "ec-384" -> p384;
            case "ec-521" -> p521;
            default -> ed;
        };
        Principal p = accepted(jwks, sign(keys, JWSAlgorithm.parse(alg), kid, null, pullPush()));
        assertThat(p.name()).isEqualTo("alice");
        assertThat(p.granted()).contains(List.of(Scope.parse("repository:team/app:pull,push")));
        RepositoryName app = RepositoryName.parse("team/app");
        assertThat(p.tokenForbids(app, Action.PUSH)).isFalse();
        assertThat(p.tokenForbids(app, Action.DELETE)).isTrue();
        assertThat(p.tokenForbids(RepositoryName.parse("other"), Action.PULL)).isTrue();
    }

    @Test
    void claimsAreChecked() throws Exception {
        Instant now = Instant.now();
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null,
                new JWTClaimsSet.Builder(pullPush()).issuer("someone-else").build()))).contains("issuer");
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null,
                new JWTClaimsSet.Builder(pullPush()).audience("other.service").build()))).contains("aud");
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null,
                new JWTClaimsSet.Builder(pullPush()).expirationTime(Date.from(now.minusSeconds(120))).build())))
                .contains("expired");
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null,
                new JWTClaimsSet.Builder(pullPush()).expirationTime(null).build()))).contains("exp");
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null,
                new JWTClaimsSet.Builder(pullPush()).notBeforeTime(Date.from(now.plusSeconds(600))).build())))
                .contains("nbf");
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null,
                new JWTClaimsSet.Builder(pullPush()).issueTime(Date.from(now.plusSeconds(600))).build())))
                .contains("iat");
    }

    @Test
    void smallClockSkewIsTolerated() throws Exception {
        Instant now = Instant.now();
        accepted(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null, new JWTClaimsSet.Builder(pullPush())
                .expirationTime(Date.from(now.minusSeconds(20))).build()));
        accepted(jwks, sign(rsa, JWSAlgorithm.RS256, "rsa-1", null, new JWTClaimsSet.Builder(pullPush())
                .notBeforeTime(Date.from(now.plusSeconds(20))).issueTime(Date.from(now.plusSeconds(20))).build()));
    }

    @Test
    void audienceMayBeAListThatContainsTheService() throws Exception {
        accepted(jwks, sign(p256, JWSAlgorithm.ES256, "ec-256", null,
                new JWTClaimsSet.Builder(pullPush()).audience(List.of("other", SERVICE)).build()));
    }

    @Test
    void badSignatureIsRejected() throws Exception {
        String good = sign(rsa, JWSAlgorithm.RS256, "rsa-1", null, pullPush());
        String[] parts = good.split("\\.");
        // Same header and signature, other claims: the signature no longer fits.
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims("admin", List.of(access("repository", "team/app", "pull", "push", "delete"))).build()
                        .toString().getBytes(StandardCharsets.UTF_8));
        assertThat(rejected(jwks, parts[0] + "." + forgedClaims + "." + parts[2])).contains("signature");
        // Signed by another key under a trusted kid.
        assertThat(rejected(jwks, sign(stranger, JWSAlgorithm.ES256, "ec-256", null, pullPush())))
                .contains("signature");
    }

    @Test
    void keyNotTrustedIsRejected() throws Exception {
        assertThat(rejected(jwks, sign(stranger, JWSAlgorithm.ES256, "stranger", null, pullPush())))
                .contains("unknown key");
        assertThat(rejected(bundle, sign(stranger, JWSAlgorithm.ES256, Keys.libtrustKeyId(stranger.getPublic()),
                null, pullPush()))).contains("unknown key");
    }

    @Test
    void algorithmMustFitTheKey() throws Exception {
        // An ES256 token under the RSA key's kid: refused before any signature maths.
        assertThat(rejected(jwks, sign(p256, JWSAlgorithm.ES256, "rsa-1", null, pullPush()))).contains("fit");
        // ES384 with a P-256 key.
        assertThat(rejected(jwks, sign(p384, JWSAlgorithm.ES384, "ec-256", null, pullPush()))).contains("fit");
    }

    @Test
    void unsignedTokensAreRefused() {
        String none = new PlainJWT(pullPush()).serialize();
        assertThat(rejected(jwks, none)).contains("alg none");
        assertThat(rejected(bundle, none)).contains("alg none");
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRefused() throws Exception {
        // The classic confusion attack: HS256 keyed with the (public) verification key, under its kid.
        byte[] secret = rsa.getPublic().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), pullPush());
        forged.sign(new MACSigner(secret));
        assertThat(rejected(jwks, forged.serialize())).contains("HMAC");
        SignedJWT pem = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).build(), pullPush());
        pem.sign(new MACSigner(Files.readAllBytes(dir.resolve("bundle.pem"))));
        assertThat(rejected(bundle, pem.serialize())).contains("HMAC");
    }

    @Test
    void garbageIsRejectedWithoutThrowing() {
        assertThat(rejected(jwks, "not-a-token-at-all")).contains("malformed");
        assertThat(rejected(jwks, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA-bad-signature")).isNotBlank();
        assertThat(rejected(jwks, "e30.e30.e30")).isNotBlank();
    }

    @Test
    void x5cChainToTheBundleRootIsAccepted() throws Exception {
        Principal p = accepted(bundle, sign(leafKeys, JWSAlgorithm.ES256, null, List.of(leaf, intermediate),
                pullPush()));
        assertThat(p.name()).isEqualTo("alice");
        // With the root itself at the end of the chain, too.
        accepted(bundle, sign(leafKeys, JWSAlgorithm.ES256, null, List.of(leaf, intermediate, root), pullPush()));
    }

    @Test
    void x5cChainToAnotherRootIsRejected() throws Exception {
        assertThat(rejected(bundle, sign(otherLeafKeys, JWSAlgorithm.ES256, null, List.of(otherLeaf, otherRoot),
                pullPush()))).contains("trusted root");
        // A chain that is not even complete (the intermediate is missing).
        assertThat(rejected(bundle, sign(leafKeys, JWSAlgorithm.ES256, null, List.of(leaf), pullPush())))
                .contains("trusted root");
        // The right certificate but a token signed by another key.
        assertThat(rejected(bundle, sign(stranger, JWSAlgorithm.ES256, null, List.of(leaf, intermediate),
                pullPush()))).contains("signature");
        // No bundle at all.
        assertThat(rejected(jwks, sign(leafKeys, JWSAlgorithm.ES256, null, List.of(leaf, intermediate),
                pullPush()))).contains("rootcertbundle");
    }

    @Test
    void expiredSigningCertificateIsRejected() throws Exception {
        X509Certificate old = TestPki.cert(leafKeys, "old signer", intermediateKeys, "Berth Test Intermediate", false,
                Instant.now().minus(10, ChronoUnit.DAYS), Instant.now().minus(1, ChronoUnit.DAYS));
        assertThat(rejected(bundle, sign(leafKeys, JWSAlgorithm.ES256, null, List.of(old, intermediate),
                pullPush()))).contains("trusted root");
    }

    @Test
    void bundleCertificatesAreFoundByDerivedKeyId() throws Exception {
        accepted(bundle, sign(rsa, JWSAlgorithm.RS256, Keys.libtrustKeyId(rsa.getPublic()), null, pullPush()));
        accepted(bundle, sign(ed, JWSAlgorithm.EdDSA, Keys.libtrustKeyId(ed.getPublic()), null, pullPush()));
        accepted(bundle, sign(rsa, JWSAlgorithm.RS256, Keys.thumbprint(rsa.getPublic()), null, pullPush()));
        assertThat(Keys.libtrustKeyId(rsa.getPublic())).matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}");
    }

    @Test
    void embeddedJwkMustBeATrustedKey() throws Exception {
        SignedJWT trusted = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                .jwk(Keys.toJwk(rsa.getPublic(), null)).build(), pullPush());
        trusted.sign(TestPki.signer(rsa));
        accepted(jwks, trusted.serialize());
        JWK strangerJwk = Keys.toJwk(stranger.getPublic(), null);
        SignedJWT untrusted = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(strangerJwk).build(),
                pullPush());
        untrusted.sign(TestPki.signer(stranger));
        assertThat(rejected(jwks, untrusted.serialize())).contains("not a trusted key");
    }

    @Test
    void withoutKidTheOnlyKeyIsUsed() throws Exception {
        Path one = TestPki.writePem(dir.resolve("one.pem"), rsaCert);
        TokenAuthenticator single = TokenAuthenticator.fromParameters(Map.of("realm", "https://auth.test/token",
                "service", SERVICE, "issuer", ISSUER, "rootcertbundle", one.toString()));
        accepted(single, sign(rsa, JWSAlgorithm.RS256, null, null, pullPush()));
        assertThat(rejected(single, sign(stranger, JWSAlgorithm.ES256, null, null, pullPush()))).contains("fit");
        assertThat(rejected(jwks, sign(rsa, JWSAlgorithm.RS256, null, null, pullPush()))).contains("several keys");
    }

    @Test
    void signingAlgorithmsNarrowWhatIsAccepted() throws Exception {
        Path one = TestPki.writePem(dir.resolve("rsa-only.pem"), rsaCert, edCert);
        TokenAuthenticator narrow = TokenAuthenticator.fromParameters(Map.of("realm", "https://auth.test/token",
                "service", SERVICE, "issuer", ISSUER, "rootcertbundle", one.toString(),
                "signingalgorithms", List.of("RS256")));
        accepted(narrow, sign(rsa, JWSAlgorithm.RS256, Keys.libtrustKeyId(rsa.getPublic()), null, pullPush()));
        assertThat(rejected(narrow, sign(rsa, JWSAlgorithm.RS512, Keys.libtrustKeyId(rsa.getPublic()), null,
                pullPush()))).contains("not accepted");
    }

    @Test
    void anonymousTokenAndAccessClaimShapes() throws Exception {
        Principal anon = accepted(jwks, sign(p256, JWSAlgorithm.ES256, "ec-256", null,
                claims("", List.of(access("repository", "public/app", "pull"))).build()));
        assertThat(anon.name()).isEqualTo(TokenAuthenticator.ANONYMOUS_SUBJECT);
        assertThat(anon.granted()).contains(List.of(Scope.parse("repository:public/app:pull")));

        Principal catalog = accepted(jwks, sign(p256, JWSAlgorithm.ES256, "ec-256", null,
                claims("admin", List.of(access("registry", "catalog", "*"),
                        access("repository", "team/app", "*"))).build()));
        assertThat(catalog.tokenForbidsCatalog()).isFalse();
        assertThat(catalog.tokenForbids(RepositoryName.parse("team/app"), Action.DELETE)).isFalse();

        Principal nothing = accepted(jwks, sign(p256, JWSAlgorithm.ES256, "ec-256", null,
                new JWTClaimsSet.Builder(pullPush()).claim("access", null).build()));
        assertThat(nothing.granted()).contains(List.of());
        assertThat(nothing.tokenForbidsCatalog()).isTrue();

        assertThat(rejected(jwks, sign(p256, JWSAlgorithm.ES256, "ec-256", null,
                new JWTClaimsSet.Builder(pullPush()).claim("access", "everything").build()))).contains("access");
    }

    @Test
    void headersOtherThanBearer() {
        assertThat(jwks.authenticate(AuthRequest.of(Map.of(), "127.0.0.1"))).isEqualTo(Authentication.ANONYMOUS);
        Authentication basic = jwks.authenticate(AuthRequest.of(Map.of("Authorization",
                "Basic " + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8))),
                "127.0.0.1"));
        assertThat(basic).isEqualTo(Authentication.rejected("this registry takes bearer tokens"));
        assertThat(jwks.authenticate(AuthRequest.of(Map.of("Authorization", "Bearer "), "127.0.0.1")))
                .isInstanceOf(Authentication.Rejected.class);
    }

    @Test
    void challenge() {
        assertThat(jwks.challenge(List.of()))
                .isEqualTo("Bearer realm=\"https://auth.test/token\",service=\"" + SERVICE + "\"");
        assertThat(jwks.challenge(List.of(Scope.parse("repository:team/app:pull,push"), Scope.CATALOG)))
                .isEqualTo("Bearer realm=\"https://auth.test/token\",service=\"" + SERVICE
                        + "\",scope=\"repository:team/app:pull,push registry:catalog:*\"");
        assertThat(jwks.acceptsCredentials()).isTrue();
    }
}
