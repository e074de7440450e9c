package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignInLimiterTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
    final SignInLimiter limiter = new SignInLimiter(3, Duration.ofSeconds(30), 100, clock);

    @Test
    void anAddressGetsItsBurstThenOneTryPerRefill() {
        assertThat(limiter.failed("10.0.0.1", "alice")).isEmpty();
        assertThat(limiter.failed("10.0.0.1", "bob")).isEmpty();
        assertThat(limiter.failed("10.0.0.1", "carol")).as("the third failure empties the address's bucket")
                .contains(Duration.ofSeconds(30));
        assertThat(limiter.check("10.0.0.1", "dave")).contains(Duration.ofSeconds(30));
        assertThat(limiter.check("10.0.0.2", "dave")).as("another address, another name").isEmpty();

        clock.advance(Duration.ofSeconds(20));
        assertThat(limiter.check("10.0.0.1", "dave")).contains(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        assertThat(limiter.check("10.0.0.1", "dave")).isEmpty();
        assertThat(limiter.failed("10.0.0.1", "dave")).contains(Duration.ofSeconds(30));
    }

    @Test
    void aUserNameIsLimitedFromEveryAddressAndASuccessRefillsIt() {
        for (int i = 1; i <= 3; i++) {
            limiter.failed("10.0.0." + i, "alice");
        }
        assertThat(limiter.check("10.9.9.9", "alice")).isPresent();
        assertThat(limiter.check("10.9.9.9", "bob")).isEmpty();

        clock.advance(Duration.ofSeconds(30));
        assertThat(limiter.check("10.9.9.9", "alice")).isEmpty();
        limiter.succeeded("alice");
        assertThat(limiter.failed("10.9.9.9", "alice")).as("a full bucket again").isEmpty();
    }

    @Test
    void aSuccessDoesNotRefillTheAddress() {
        limiter.failed("10.0.0.1", "a");
        limiter.failed("10.0.0.1", "b");
        limiter.succeeded("mallory");
        assertThat(limiter.failed("10.0.0.1", "c")).isPresent();
    }

    @Test
    void keepsAtMostMaxKeysBuckets() {
        SignInLimiter small = new SignInLimiter(3, Duration.ofSeconds(30), 10, clock);
        for (int i = 0; i < 1000; i++) {
            small.failed("10.0." + i / 256 + "." + i % 256, "user" + i);
        }
        assertThat(small.size()).isEqualTo(10);
        String longName = "x".repeat(100_000);
        for (int i = 1; i <= 3; i++) {
            small.failed("10.1.1." + i, longName);
        }
        assertThat(small.check("10.1.1.9", longName + "y")).as("a long name is cut for its key").isPresent();
    }
}
