package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.spi.auth.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {
    /** A clock the test moves. */
    private static final class Manual extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void idsAndTokensAreRandomAnd256BitsLong() {
        Sessions sessions = new Sessions(Duration.ofHours(1), 1000, Clock.systemUTC());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Sessions.Session s = sessions.create(null);
            assertThat(s.id).hasSize(43).matches("[A-Za-z0-9_-]+");
            assertThat(s.csrf).hasSize(43).isNotEqualTo(s.id);
            assertThat(seen.add(s.id)).isTrue();
        }
    }

    @Test
    void aSessionUnusedForTheIdleTimeExpires() {
        Manual clock = new Manual();
        Sessions sessions = new Sessions(Duration.ofMinutes(30), 10, clock);
        Sessions.Session s = sessions.create(Principal.user("alice"));
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.find(s.id)).isPresent(); // used: the idle time starts again
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.find(s.id)).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(31));
        assertThat(sessions.find(s.id)).isEmpty();
        assertThat(sessions.size()).isZero();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("unknown")).isEmpty();
    }

    @Test
    void theMapIsBoundedAndAnonymousSessionsGoFirst() {
        Manual clock = new Manual();
        Sessions sessions = new Sessions(Duration.ofHours(1), 3, clock);
        Sessions.Session alice = sessions.create(Principal.user("alice"));
        clock.now = clock.now.plusSeconds(1);
        Sessions.Session anonymous = sessions.create(null);
        clock.now = clock.now.plusSeconds(1);
        Sessions.Session bob = sessions.create(Principal.user("bob"));
        clock.now = clock.now.plusSeconds(1);
        Sessions.Session carol = sessions.create(Principal.user("carol"));
        assertThat(sessions.size()).isEqualTo(3);
        assertThat(sessions.find(anonymous.id)).isEmpty();
        assertThat(sessions.find(alice.id)).isPresent();
        clock.now = clock.now.plusSeconds(1);
        sessions.create(Principal.user("dave"));
        // The least recently used signed-in session goes when no anonymous one is left: bob (alice was just used).
        assertThat(sessions.find(bob.id)).isEmpty();
        assertThat(sessions.find(alice.id)).isPresent();
        assertThat(sessions.find(carol.id)).isPresent();
    }

    @Test
    void theCsrfTokenMustMatchExactly() {
        Sessions.Session s = new Sessions(Duration.ofHours(1), 10, Clock.systemUTC()).create(null);
        assertThat(s.csrfMatches(s.csrf)).isTrue();
        assertThat(s.csrfMatches(null)).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(s.csrf + "x")).isFalse();
        assertThat(s.csrfMatches(s.id)).isFalse();
    }
}
