package dev.berth.auth.token;

import static dev.berth.auth.token.TestPki.ISSUER;
import static dev.berth.auth.token.TestPki.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.spi.ParameterException;
import dev.berth.registry.spi.auth.AccessController;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.registry.spi.auth.Scope;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenIssuerTest {
    static final String REALM = "https://registry.test/auth/token";

    /** Everyone pulls public/**, developers push team/**, alice owns alice/**, admin does everything. */
    static AccessRules rules() {
        return AccessRules.parse(Map.of(
                "groups", Map.of("developers", List.of("alice", "bob")),
                "rules", List.of(
                        Map.of("repositories", List.of("public/**"), "who", List.of("everyone"),
                                "allow", List.of("pull")),
                        Map.of("repositories", List.of("team/**"), "who", List.of("group:developers"),
                                "allow", List.of("pull", "push")),
                        Map.of("repositories", List.of("${user}/**"), "who", List.of("authenticated"),
                                "allow", List.of("pull", "push", "delete")),
                        Map.of("repositories", List.of("**"), "who", List.of("admin"),
                                "allow", List.of("pull", "push", "delete")))));
    }

    @TempDir
    Path dir;

    static Principal verified(TokenAuthenticator a, String token) {
        Authentication result = a.authenticate(AuthRequest.of(Map.of("Authorization", "Bearer " + token), "::1"));
        assertThat(result).isInstanceOf(Authentication.Authenticated.class);
        return ((Authentication.Authenticated) result).principal();
    }

    @Test
    void grantsTheIntersectionOfRequestAndRules() {
        TokenIssuer issuer = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofMinutes(5), rules());
        TokenAuthenticator registry = issuer.authenticator(REALM);
        Principal alice = Principal.user("alice");

        TokenIssuer.IssuedToken t = issuer.issue(Optional.of(alice), SERVICE, List.of(
                Scope.parse("repository:team/app:pull,push,delete"),
                Scope.parse("repository:public/base:pull,push"),
                Scope.parse("repository:alice/tools:*"),
                Scope.parse("repository:secret/db:pull"),
                Scope.parse("repository:Not_Valid:pull"),
                Scope.parse("registry:catalog:*"),
                Scope.parse("weird:thing:pull")));
        List<Scope> expected = List.of(Scope.parse("repository:team/app:pull,push"),
                Scope.parse("repository:public/base:pull"), Scope.parse("repository:alice/tools:pull,push,delete"),
                Scope.CATALOG);
        assertThat(t.granted()).containsExactlyElementsOf(expected);
        Principal p = verified(registry, t.token());
        assertThat(p.name()).isEqualTo("alice");
        assertThat(p.granted()).contains(expected);
        assertThat(t.toString()).doesNotContain(t.token());
    }

    @Test
    void anonymousGetsWhatAnonymousMayDo() {
        TokenIssuer issuer = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofMinutes(5), rules());
        TokenIssuer.IssuedToken t = issuer.issue(Optional.empty(), SERVICE, List.of(
                Scope.parse("repository:public/base:pull,push"), Scope.parse("repository:team/app:pull"),
                Scope.parse("registry:catalog:*")));
        // AccessRules lets anonymous callers list the catalog because they may pull somewhere.
        assertThat(t.granted()).containsExactly(Scope.parse("repository:public/base:pull"), Scope.CATALOG);
        Principal p = verified(issuer.authenticator(REALM), t.token());
        assertThat(p.name()).isEqualTo(TokenAuthenticator.ANONYMOUS_SUBJECT);

        TokenIssuer strict = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofMinutes(5),
                AccessController.AUTHENTICATED);
        assertThat(strict.issue(Optional.empty(), SERVICE, List.of(Scope.parse("repository:public/base:pull"),
                Scope.CATALOG)).granted()).isEmpty();
    }

    @Test
    void requestsForOneRepositoryAreMerged() {
        TokenIssuer issuer = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofMinutes(5), AccessController.ALLOW_ALL);
        assertThat(issuer.issue(Optional.of(Principal.user("bob")), SERVICE, List.of(
                Scope.parse("repository:team/app:pull"), Scope.parse("repository:team/app:push"))).granted())
                .containsExactly(Scope.parse("repository:team/app:pull,push"));
    }

    @Test
    void tokenHeaderAndClaims() throws Exception {
        TokenIssuer issuer = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofSeconds(90),
                AccessController.ALLOW_ALL);
        TokenIssuer.IssuedToken t = issuer.issue(Optional.of(Principal.user("bob")), SERVICE,
                List.of(Scope.parse("repository:team/app:pull")));
        SignedJWT jwt = SignedJWT.parse(t.token());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(issuer.keyId()).matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}");
        assertThat(jwt.getHeader().getX509CertChain()).isNull();
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo(ISSUER);
        assertThat(c.getSubject()).isEqualTo("bob");
        assertThat(c.getAudience()).containsExactly(SERVICE);
        assertThat(c.getJWTID()).hasSize(32);
        assertThat(c.getIssueTime().toInstant()).isEqualTo(t.issuedAt());
        assertThat(c.getNotBeforeTime().toInstant()).isEqualTo(t.issuedAt());
        assertThat(c.getExpirationTime().toInstant()).isEqualTo(t.issuedAt().plusSeconds(90));
        assertThat(c.getClaim("access")).isEqualTo(List.of(Map.of("type", "repository", "name", "team/app",
                "actions", List.of("pull"))));
        assertThat(t.expiresIn()).isEqualTo(Duration.ofSeconds(90));
        String second = issuer.issue(Optional.of(Principal.user("bob")), SERVICE, List.of()).token();
        assertThat(SignedJWT.parse(second).getJWTClaimsSet().getJWTID()).isNotEqualTo(c.getJWTID());
    }

    @Test
    void wrongServiceIsRefused() {
        TokenIssuer issuer = TokenIssuer.generated(ISSUER, SERVICE, Duration.ofMinutes(5), AccessController.ALLOW_ALL);
        assertThatThrownBy(() -> issuer.issue(Optional.empty(), "other", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service");
    }

    @Test
    void rsaKeyWithCertificateFromConfigVerifiesAsDistributionWould() throws Exception {
        KeyPair rsa = TestPki.rsa();
        KeyPair caKeys = TestPki.ec("secp256r1");
        X509Certificate ca = TestPki.ca(caKeys, "Token CA");
        X509Certificate cert = TestPki.cert(rsa, "token signer", caKeys, "Token CA", false,
                Instant.now().minusSeconds(3600), Instant.now().plusSeconds(86400));
        Path key = pkcs8(dir.resolve("key.pem"), rsa.getPrivate());
        Path certFile = TestPki.writePem(dir.resolve("cert.pem"), cert, ca);
        TokenIssuer issuer = TokenIssuer.fromConfig(Map.of("key", key.toString(), "certificate", certFile.toString(),
                "issuer", ISSUER, "service", SERVICE, "expiration", "10m"), AccessController.ALLOW_ALL);
        assertThat(issuer.algorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(issuer.expiration()).isEqualTo(Duration.ofMinutes(10));
        String token = issuer.issue(Optional.of(Principal.user("carol")), SERVICE,
                List.of(Scope.parse("repository:x/y:pull"))).token();
        assertThat(SignedJWT.parse(token).getHeader().getX509CertChain()).hasSize(2);

        // A registry that trusts the CA (x5c chain), and one that trusts the signing certificate (kid).
        Path caBundle = TestPki.writePem(dir.resolve("ca.pem"), ca);
        Path leafBundle = TestPki.writePem(dir.resolve("leaf.pem"), cert);
        for (Path bundle : List.of(caBundle, leafBundle)) {
            TokenAuthenticator registry = TokenAuthenticator.fromParameters(Map.of("realm", REALM, "service",
                    SERVICE, "issuer", ISSUER, "rootcertbundle", bundle.toString()));
            assertThat(verified(registry, token).name()).isEqualTo("carol");
        }
        // A registry with the issuer's public JWK in its jwks file.
        Path jwks = Files.writeString(dir.resolve("issuer.jwks"), new JWKSet(issuer.publicJwk()).toString());
        TokenAuthenticator byJwks = TokenAuthenticator.fromParameters(Map.of("realm", REALM, "service", SERVICE,
                "issuer", ISSUER, "jwks", jwks.toString()));
        assertThat(verified(byJwks, token).granted()).contains(List.of(Scope.parse("repository:x/y:pull")));
    }

    @Test
    void ecKeysInBothPemFormsAndEd25519() throws Exception {
        KeyPair ec = TestPki.ec("secp256r1");
        Path traditional = sec1(dir.resolve("ec-trad.pem"), ec, true); // BEGIN EC PRIVATE KEY, as openssl writes
        Path traditionalNoPublic = sec1(dir.resolve("ec-trad-nopub.pem"), ec, false);
        assertThat(Files.readString(traditional)).contains("BEGIN EC PRIVATE KEY");
        Path pkcs8 = pkcs8(dir.resolve("ec-pkcs8.pem"), ec.getPrivate());
        KeyPair p384 = TestPki.ec("secp384r1");
        KeyPair ed = TestPki.ed25519();
        Map<Path, JWSAlgorithm> cases = Map.of(traditional, JWSAlgorithm.ES256, pkcs8, JWSAlgorithm.ES256,
                traditionalNoPublic, JWSAlgorithm.ES256,
                pkcs8(dir.resolve("p384.pem"), p384.getPrivate()), JWSAlgorithm.ES384,
                pkcs8(dir.resolve("ed.pem"), ed.getPrivate()), JWSAlgorithm.EdDSA);
        for (Map.Entry<Path, JWSAlgorithm> e : cases.entrySet()) {
            TokenIssuer issuer = TokenIssuer.fromConfig(Map.of("key", e.getKey().toString(), "issuer", ISSUER,
                    "service", SERVICE), AccessController.ALLOW_ALL);
            assertThat(issuer.algorithm()).isEqualTo(e.getValue());
            assertThat(issuer.expiration()).isEqualTo(TokenIssuer.DEFAULT_EXPIRATION);
            String token = issuer.issue(Optional.of(Principal.user("dave")), SERVICE, List.of()).token();
            assertThat(verified(issuer.authenticator(REALM), token).name()).isEqualTo("dave");
        }
        // The public key derived from the PKCS#8 file is the real one: a verifier of the original key accepts.
        TokenIssuer fromPkcs8 = TokenIssuer.fromConfig(Map.of("key", pkcs8.toString(), "issuer", ISSUER,
                "service", SERVICE), AccessController.ALLOW_ALL);
        assertThat(fromPkcs8.keyId()).isEqualTo(Keys.libtrustKeyId(ec.getPublic()));
        for (Path p : List.of(traditional, traditionalNoPublic)) {
            assertThat(TokenIssuer.fromConfig(Map.of("key", p.toString(), "issuer", ISSUER, "service", SERVICE),
                    AccessController.ALLOW_ALL).keyId()).isEqualTo(Keys.libtrustKeyId(ec.getPublic()));
        }
    }

    @Test
    void configErrorsNameTheKey() throws Exception {
        AccessController all = AccessController.ALLOW_ALL;
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("service", SERVICE), all))
                .hasMessage("auth.token.builtin.issuer: required");
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER), all))
                .hasMessage("auth.token.builtin.service: required");
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE, "expiry", "5m"),
                all)).hasMessageContaining("expiry");
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE,
                "expiration", "soon"), all)).hasMessageStartingWith("auth.token.builtin.expiration: ");
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE,
                "key", dir.resolve("missing.pem").toString()), all)).hasMessageStartingWith("auth.token.builtin.key: ");
        Path notAKey = TestPki.writePem(dir.resolve("ca-only.pem"), TestPki.ca(TestPki.ec("secp256r1"), "x"));
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE,
                "key", notAKey.toString()), all)).hasMessageStartingWith("auth.token.builtin.key: ");
        // A certificate of another key.
        Path key = pkcs8(dir.resolve("k.pem"), TestPki.ec("secp256r1").getPrivate());
        assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE,
                "key", key.toString(), "certificate", notAKey.toString()), all))
                .isInstanceOf(ParameterException.class)
                .hasMessage("auth.token.builtin.certificate: the (first) certificate is not for the private key");
        // Without a key, one is generated.
        assertThat(TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE), all).algorithm())
                .isEqualTo(JWSAlgorithm.ES256);
    }

    @Test
    void expirationIsAGoDurationOrWholeSecondsAndLongerThanZero() {
        AccessController all = AccessController.ALLOW_ALL;
        Map<Object, Duration> good = Map.of("5m", Duration.ofMinutes(5), "300s", Duration.ofSeconds(300),
                "1h30m", Duration.ofMinutes(90), "1.5h", Duration.ofMinutes(90), "1500ms", Duration.ofMillis(1500),
                120, Duration.ofSeconds(120), "120", Duration.ofSeconds(120));
        good.forEach((text, expected) -> assertThat(TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service",
                SERVICE, "expiration", text), all).expiration()).as("%s", text).isEqualTo(expected));
        for (String bad : List.of("", "m", "5x", "-5m", "0s", "0")) {
            assertThatThrownBy(() -> TokenIssuer.fromConfig(Map.of("issuer", ISSUER, "service", SERVICE,
                    "expiration", bad), all)).as(bad).hasMessageStartingWith("auth.token.builtin.expiration: ");
        }
    }

    /** An SEC1 {@code EC PRIVATE KEY} file with the curve named, with or without the public point. */
    static Path sec1(Path file, KeyPair keys, boolean withPublic) throws Exception {
        BigInteger d = ((ECPrivateKey) keys.getPrivate()).getS();
        X962Parameters curve = new X962Parameters(
                SECObjectIdentifiers.secp256r1);
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = withPublic
                ? new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, new DERBitString(
                        SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded())
                                .getPublicKeyData().getBytes()), curve)
                : new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, curve);
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(sec1.getEncoded());
        return Files.writeString(file, "-----BEGIN EC PRIVATE KEY-----\n" + b64 + "\n-----END EC PRIVATE KEY-----\n");
    }

    static Path pkcs8(Path file, PrivateKey key) throws Exception {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
        return Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
    }
}
