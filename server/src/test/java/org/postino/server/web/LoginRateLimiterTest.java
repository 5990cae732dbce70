package org.postino.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LoginRateLimiterTest {

    private final MutableClock clock = new MutableClock();
    private final LoginRateLimiter limiter = new LoginRateLimiter(5, Duration.ofMinutes(5), clock);

    @Test
    void fiveFailuresWithinTheWindowBlockUntilTheOldestLeavesIt() {
        for (int i = 0; i < 4; i++) {
            limiter.recordFailure("user:alice");
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(limiter.retryAfter("user:alice")).isEmpty();
        limiter.recordFailure("user:alice");
        assertThat(limiter.retryAfter("user:alice")).contains(Duration.ofSeconds(300 - 40));
        assertThat(limiter.retryAfter("user:bob")).as("other keys").isEmpty();

        clock.advance(Duration.ofSeconds(259));
        assertThat(limiter.retryAfter("user:alice")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.retryAfter("user:alice")).as("the first failure left the window").isEmpty();
        limiter.recordFailure("user:alice");
        assertThat(limiter.retryAfter("user:alice")).as("sliding: five again within 5 minutes").isPresent();
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowNeverBlock() {
        for (int i = 0; i < 20; i++) {
            limiter.recordFailure("address:192.0.2.1");
            assertThat(limiter.retryAfter("address:192.0.2.1")).isEmpty();
            clock.advance(Duration.ofSeconds(76));
        }
    }

    @Test
    void resetForgetsTheKey() {
        for (int i = 0; i < 5; i++) {
            limiter.recordFailure("user:alice");
        }
        assertThat(limiter.retryAfter("user:alice")).isPresent();
        limiter.reset("user:alice");
        assertThat(limiter.retryAfter("user:alice")).isEmpty();
    }

    @Test
    void memoryIsBounded() {
        for (int i = 0; i < LoginRateLimiter.MAX_KEYS + 10; i++) {
            limiter.recordFailure("user:" + i);
        }
        assertThat(limiter.keys()).isLessThanOrEqualTo(LoginRateLimiter.MAX_KEYS);
    }
}
