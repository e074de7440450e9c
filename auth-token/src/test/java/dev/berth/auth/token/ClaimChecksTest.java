package dev.berth.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.berth.registry.spi.auth.Scope;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The claim checks alone, on a fixed clock: the leeway holds to the second on each side. */
class ClaimChecksTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final ClaimChecks checks = new ClaimChecks("issuer", "service", Clock.fixed(NOW, ZoneOffset.UTC));

    private static JWTClaimsSet.Builder valid() {
        return new JWTClaimsSet.Builder().issuer("issuer").audience(List.of("other", "service"))
                .expirationTime(Date.from(NOW.plusSeconds(300)));
    }

    @Test
    void aTokenWithinItsTimesAndForThisServiceFromThisIssuerPasses() throws Rejection {
        checks.check(valid().build());
        checks.check(valid().expirationTime(Date.from(NOW.minus(TokenAuthenticator.LEEWAY))).build());
        checks.check(valid().notBeforeTime(Date.from(NOW.plus(TokenAuthenticator.LEEWAY)))
                .issueTime(Date.from(NOW.plus(TokenAuthenticator.LEEWAY))).build());
    }

    @Test
    void eachClaimIsCheckedOnItsOwn() {
        assertThatThrownBy(() -> checks.check(valid().issuer("someone").build())).hasMessageContaining("issuer");
        assertThatThrownBy(() -> checks.check(valid().audience("elsewhere").build())).hasMessageContaining("aud");
        assertThatThrownBy(() -> checks.check(valid().expirationTime(null).build())).hasMessageContaining("exp");
        assertThatThrownBy(() -> checks.check(valid().expirationTime(Date.from(NOW.minus(TokenAuthenticator.LEEWAY)
                .minusSeconds(1))).build())).hasMessage("token expired");
        assertThatThrownBy(() -> checks.check(valid().notBeforeTime(Date.from(NOW.plus(TokenAuthenticator.LEEWAY)
                .plusSeconds(1))).build())).hasMessageContaining("nbf");
        assertThatThrownBy(() -> checks.check(valid().issueTime(Date.from(NOW.plus(TokenAuthenticator.LEEWAY)
                .plusSeconds(1))).build())).hasMessageContaining("iat");
    }

    @Test
    void theAccessClaimReadsAsScopes() throws Rejection {
        assertThat(ClaimChecks.access(valid().build())).isEmpty();
        assertThat(ClaimChecks.access(valid().claim("access", List.of(Map.of("type", "repository", "name",
                "team/app", "actions", List.of("pull", "push")))).build()))
                .containsExactly(new Scope("repository", "team/app", Set.of("pull", "push")));
        assertThatThrownBy(() -> ClaimChecks.access(valid().claim("access", "all").build()))
                .hasMessageContaining("not a list");
        assertThatThrownBy(() -> ClaimChecks.access(valid().claim("access", List.of(Map.of("type", "repository")))
                .build())).hasMessageContaining("without type or name");
    }
}
