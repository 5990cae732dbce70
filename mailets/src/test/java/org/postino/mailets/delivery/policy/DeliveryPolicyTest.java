package org.postino.mailets.delivery.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {

    private static final Instant FIRST_ATTEMPT = Instant.parse("2026-11-28T10:00:00Z");

    private final DeliveryPolicy testee = DeliveryPolicy.builder()
        .retrySchedule(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofHours(1)))
        .retryJitter(0.1)
        .lifetime(Duration.ofDays(5))
        .delayNotices(List.of(Duration.ofHours(4), Duration.ofDays(1), Duration.ofDays(3)))
        .build();

    @Test
    void defaultsShouldBeThoseDocumented() {
        DeliveryPolicy defaults = DeliveryPolicy.defaults();

        assertThat(defaults.retrySchedule()).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(20), Duration.ofMinutes(40), Duration.ofHours(1));
        assertThat(defaults.retryJitter()).isEqualTo(0.1);
        assertThat(defaults.lifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(defaults.maxAttempts()).isEmpty();
        assertThat(defaults.delayNotices()).containsExactly(Duration.ofHours(4));
        assertThat(defaults.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.commandTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.dataTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.tls()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(defaults.maxRecipientsPerTransaction()).isEqualTo(100);
    }

    @Test
    void delayBeforeAttemptShouldFollowTheScheduleWhenRandomIsOneHalf() {
        assertThat(testee.delayBeforeAttempt(1, () -> 0.5)).isEqualTo(Duration.ofMinutes(5));
        assertThat(testee.delayBeforeAttempt(2, () -> 0.5)).isEqualTo(Duration.ofMinutes(10));
        assertThat(testee.delayBeforeAttempt(3, () -> 0.5)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void delayBeforeAttemptShouldRepeatTheLastStep() {
        assertThat(testee.delayBeforeAttempt(4, () -> 0.5)).isEqualTo(Duration.ofHours(1));
        assertThat(testee.delayBeforeAttempt(1000, () -> 0.5)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void delayBeforeAttemptShouldBeShortestWhenRandomIsZero() {
        assertThat(testee.delayBeforeAttempt(2, () -> 0.0)).isEqualTo(Duration.ofMinutes(9));
    }

    @Test
    void delayBeforeAttemptShouldBeLongerWhenRandomIsNearOne() {
        assertThat(testee.delayBeforeAttempt(2, () -> 0.999))
            .isGreaterThan(Duration.ofMinutes(10))
            .isLessThan(Duration.ofMinutes(11))
            .isEqualTo(Duration.ofMillis(659_880));
    }

    @Test
    void delayBeforeAttemptShouldBeExactWithoutJitter() {
        DeliveryPolicy exact = testee.toBuilder().retryJitter(0).build();

        assertThat(exact.delayBeforeAttempt(2, () -> 0.0)).isEqualTo(Duration.ofMinutes(10));
        assertThat(exact.delayBeforeAttempt(2, () -> 0.999)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void delayBeforeAttemptShouldHalveOrStretchByHalfAtMaximumJitter() {
        DeliveryPolicy wide = testee.toBuilder().retryJitter(0.5).build();

        assertThat(wide.delayBeforeAttempt(2, () -> 0.0)).isEqualTo(Duration.ofMinutes(5));
        assertThat(wide.delayBeforeAttempt(2, () -> 0.999)).isEqualTo(Duration.ofMillis(899_400));
    }

    @Test
    void delayBeforeAttemptShouldRejectAttemptsBelowOne() {
        assertThatThrownBy(() -> testee.delayBeforeAttempt(0, () -> 0.5))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("0");
    }

    @Test
    void delayBeforeAttemptShouldRejectRandomOutsideZeroToOne() {
        assertThatThrownBy(() -> testee.delayBeforeAttempt(1, () -> 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> testee.delayBeforeAttempt(1, () -> -0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void giveUpAtShouldBeTheFirstAttemptPlusTheLifetime() {
        assertThat(testee.giveUpAt(FIRST_ATTEMPT)).isEqualTo(Instant.parse("2026-12-03T10:00:00Z"));
    }

    @Test
    void givesUpShouldBeFalseBeforeTheLifetimeWithoutMaxAttempts() {
        assertThat(testee.givesUp(FIRST_ATTEMPT, 10_000, FIRST_ATTEMPT.plus(Duration.ofDays(5)).minusMillis(1)))
            .isFalse();
    }

    @Test
    void givesUpShouldBeTrueOnceTheLifetimeIsReached() {
        assertThat(testee.givesUp(FIRST_ATTEMPT, 3, FIRST_ATTEMPT.plus(Duration.ofDays(5)))).isTrue();
        assertThat(testee.givesUp(FIRST_ATTEMPT, 3, FIRST_ATTEMPT.plus(Duration.ofDays(6)))).isTrue();
    }

    @Test
    void givesUpShouldBeTrueOnceMaxAttemptsAreMadeEvenBeforeTheLifetime() {
        DeliveryPolicy limited = testee.toBuilder().maxAttempts(3).build();

        assertThat(limited.givesUp(FIRST_ATTEMPT, 2, FIRST_ATTEMPT.plusSeconds(60))).isFalse();
        assertThat(limited.givesUp(FIRST_ATTEMPT, 3, FIRST_ATTEMPT.plusSeconds(60))).isTrue();
    }

    @Test
    void givesUpShouldBeTrueAtTheLifetimeEvenBeforeMaxAttempts() {
        DeliveryPolicy limited = testee.toBuilder().maxAttempts(100).build();

        assertThat(limited.givesUp(FIRST_ATTEMPT, 2, FIRST_ATTEMPT.plus(Duration.ofDays(5)))).isTrue();
    }

    @Test
    void noticesDueShouldBeEmptyBeforeTheFirstThreshold() {
        assertThat(testee.noticesDue(FIRST_ATTEMPT, Set.of(), FIRST_ATTEMPT.plus(Duration.ofHours(4)).minusMillis(1)))
            .isEmpty();
    }

    @Test
    void noticesDueShouldHoldAThresholdOnceReached() {
        assertThat(testee.noticesDue(FIRST_ATTEMPT, Set.of(), FIRST_ATTEMPT.plus(Duration.ofHours(4))))
            .containsExactly(Duration.ofHours(4));
    }

    @Test
    void noticesDueShouldBeEmptyOnceTheThresholdIsSent() {
        assertThat(testee.noticesDue(FIRST_ATTEMPT, Set.of(Duration.ofHours(4)), FIRST_ATTEMPT.plus(Duration.ofHours(5))))
            .isEmpty();
    }

    @Test
    void noticesDueShouldHoldTheNextThresholdOnceReached() {
        assertThat(testee.noticesDue(FIRST_ATTEMPT, Set.of(Duration.ofHours(4)), FIRST_ATTEMPT.plus(Duration.ofDays(1))))
            .containsExactly(Duration.ofDays(1));
    }

    @Test
    void noticesDueShouldHoldEveryThresholdReachedAndUnsentShortestFirst() {
        assertThat(testee.noticesDue(FIRST_ATTEMPT, Set.of(), FIRST_ATTEMPT.plus(Duration.ofDays(4))))
            .containsExactly(Duration.ofHours(4), Duration.ofDays(1), Duration.ofDays(3));
    }

    @Test
    void noticesDueShouldBeEmptyWithoutThresholds() {
        DeliveryPolicy silent = testee.toBuilder().delayNotices(List.of()).build();

        assertThat(silent.noticesDue(FIRST_ATTEMPT, Set.of(), FIRST_ATTEMPT.plus(Duration.ofDays(4)))).isEmpty();
    }

    @Test
    void delayNoticesShouldBeSorted() {
        DeliveryPolicy policy = testee.toBuilder()
            .delayNotices(List.of(Duration.ofDays(3), Duration.ofHours(4), Duration.ofDays(1)))
            .build();

        assertThat(policy.delayNotices()).containsExactly(Duration.ofHours(4), Duration.ofDays(1), Duration.ofDays(3));
    }

    @Test
    void builderShouldRejectValuesOutOfRange() {
        DeliveryPolicy.Builder builder = DeliveryPolicy.builder();

        assertThatThrownBy(() -> builder.retrySchedule(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.retrySchedule(List.of(Duration.ZERO))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.retryJitter(0.51)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.retryJitter(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.lifetime(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.delayNotices(List.of(Duration.ZERO))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.delayNotices(List.of(Duration.ofHours(4), Duration.ofHours(4))))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.commandTimeout(Duration.ofMinutes(61))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.dataTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxRecipientsPerTransaction(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxRecipientsPerTransaction(1001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildShouldRejectALifetimeShorterThanTheFirstRetryStep() {
        assertThatThrownBy(() -> DeliveryPolicy.builder().delayNotices(List.of()).lifetime(Duration.ofMinutes(4)).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("FIRST_RETRY_AFTER_LIFETIME");
    }

    @Test
    void buildShouldRejectADelayNoticeAtTheLifetime() {
        assertThatThrownBy(() -> DeliveryPolicy.builder().lifetime(Duration.ofHours(4)).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("DELAY_NOTICE_NOT_BEFORE_LIFETIME");
    }

    @Test
    void toBuilderShouldKeepEveryValue() {
        DeliveryPolicy policy = testee.toBuilder().maxAttempts(7).tls(TlsMode.REQUIRED).build();

        assertThat(policy.toBuilder().build()).isEqualTo(policy);
        assertThat(policy.maxAttempts()).isEqualTo(Optional.of(7));
        assertThat(policy.toBuilder().noMaxAttempts().build().maxAttempts()).isEmpty();
    }

    @Test
    void toStringShouldWriteDurationsAsPeopleDo() {
        assertThat(DeliveryPolicy.defaults().toString())
            .contains("retrySchedule=5m, 10m, 20m, 40m, 1h...", "lifetime=5d", "maxAttempts=none", "delayNotices=4h");
    }
}
