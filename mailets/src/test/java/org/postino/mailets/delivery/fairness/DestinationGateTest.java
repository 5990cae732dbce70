package org.postino.mailets.delivery.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DestinationGateTest {

    private static final String DOMAIN = "example.com";

    private final MutableClock clock = new MutableClock();
    private final DestinationGate testee = new DestinationGate(
        FairnessSettings.of(4, 2, 3, Duration.ofMinutes(5), Duration.ofMinutes(12)), clock);

    @Test
    void admitShouldAllowTheInitialWindowAndNoMore() {
        List<DestinationGate.Lease> running = admitAll(DOMAIN);

        assertThat(running).hasSize(2);
        assertThat(testee.admit(DOMAIN)).isEqualTo(new Admission.AtLimit(2));
    }

    @Test
    void destinationsShouldHaveTheirOwnWindows() {
        admitAll(DOMAIN);

        assertThat(testee.admit("other.example")).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void domainsShouldBeComparedInAnyCase() {
        admitAll(DOMAIN);

        assertThat(testee.admit("EXAMPLE.com")).isInstanceOf(Admission.AtLimit.class);
    }

    @Test
    void eachReachedAttemptShouldGrowTheWindowByOneUpToTheLimit() {
        List<DestinationGate.Lease> running = admitAll(DOMAIN);
        running.get(0).reached();
        assertThat(testee.window(DOMAIN)).isEqualTo(3);
        admitAll(DOMAIN).forEach(DestinationGate.Lease::reached);

        assertThat(testee.window(DOMAIN)).as("limit 4, one still running").isEqualTo(4);
    }

    @Test
    void eachUnreachableAttemptShouldShrinkTheWindowButNotBelowOne() {
        List<DestinationGate.Lease> running = admitAll(DOMAIN);
        running.get(0).unreachable("refused");
        assertThat(testee.window(DOMAIN)).isEqualTo(1);
        running.get(1).unreachable("refused");

        assertThat(testee.window(DOMAIN)).isEqualTo(1);
    }

    @Test
    void anAttemptThatTriedNoHostShouldOnlyFreeItsSlot() {
        try (DestinationGate.Lease lease = lease(DOMAIN)) {
            assertThat(testee.window(DOMAIN)).isEqualTo(2);
        }

        assertThat(testee.window(DOMAIN)).isEqualTo(2);
        assertThat(admitAll(DOMAIN)).hasSize(2);
    }

    @Test
    void aDestinationShouldKeepItsWindowWhileNothingRunsForAShortWhile() {
        admitAll(DOMAIN).forEach(DestinationGate.Lease::reached);
        clock.advance(Duration.ofSeconds(30));
        sweepWithAnotherAdmission();

        assertThat(testee.window(DOMAIN)).isEqualTo(4);
    }

    @Test
    void aDestinationIdleForMoreThanAMinuteShouldStartAgainFromTheInitialWindow() {
        admitAll(DOMAIN).forEach(DestinationGate.Lease::reached);
        clock.advance(Duration.ofSeconds(61));
        sweepWithAnotherAdmission();

        assertThat(testee.window(DOMAIN)).isEqualTo(2);
    }

    @Test
    void aFailingDestinationShouldBeRememberedUntilTheLongestBackoffHasPassed() {
        killDestination();
        clock.advance(Duration.ofMinutes(12));
        sweepWithAnotherAdmission();
        assertThat(testee.window(DOMAIN)).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        sweepWithAnotherAdmission();

        assertThat(testee.window(DOMAIN)).isEqualTo(2);
    }

    @Test
    void aDestinationShouldBeDeadAfterTheConfiguredNumberOfUnreachableAttemptsInARow() {
        failOnce("refused 1");
        failOnce("refused 2");
        failOnce("refused 3");

        assertThat(testee.admit(DOMAIN)).isEqualTo(new Admission.Dead(Duration.ofMinutes(5), "refused 3"));
        clock.advance(Duration.ofMinutes(2));
        assertThat(testee.admit(DOMAIN)).isEqualTo(new Admission.Dead(Duration.ofMinutes(3), "refused 3"));
    }

    @Test
    void aReachedAttemptShouldStartTheCountAgain() {
        failOnce("refused");
        failOnce("refused");
        lease(DOMAIN).reached();
        failOnce("refused");
        failOnce("refused");

        assertThat(testee.admit(DOMAIN)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void aDeadDestinationShouldBeTriedAgainOnceItsBackoffIsOver() {
        killDestination();
        clock.advance(Duration.ofMinutes(5));

        assertThat(testee.admit(DOMAIN)).isInstanceOf(Admission.Admitted.class);
        assertThat(testee.admit(DOMAIN)).as("one probe at a time").isInstanceOf(Admission.AtLimit.class);
    }

    @Test
    void eachFailedProbeShouldDoubleTheBackoffUpToItsCap() {
        killDestination();
        clock.advance(Duration.ofMinutes(5));
        failOnce("still refused");
        assertThat(testee.admit(DOMAIN)).isEqualTo(new Admission.Dead(Duration.ofMinutes(10), "still refused"));
        clock.advance(Duration.ofMinutes(10));
        failOnce("still refused");

        assertThat(testee.admit(DOMAIN)).isEqualTo(new Admission.Dead(Duration.ofMinutes(12), "still refused"));
    }

    @Test
    void attemptsRunningWhenTheDestinationDiedShouldNotExtendItsBackoff() {
        DestinationGate gate = new DestinationGate(FairnessSettings.of(4, 4, 2, Duration.ofMinutes(5), Duration.ofMinutes(12)), clock);
        List<DestinationGate.Lease> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(((Admission.Admitted) gate.admit(DOMAIN)).lease());
        }
        running.get(0).unreachable("refused");
        running.get(1).unreachable("refused");
        clock.advance(Duration.ofMinutes(1));
        running.get(2).unreachable("refused late");

        assertThat(gate.admit(DOMAIN)).isEqualTo(new Admission.Dead(Duration.ofMinutes(4), "refused late"));
    }

    @Test
    void theFirstContactShouldReviveADeadDestinationAndResetItsBackoff() {
        killDestination();
        clock.advance(Duration.ofMinutes(5));
        lease(DOMAIN).reached();
        killDestination();

        assertThat(testee.admit(DOMAIN)).isEqualTo(new Admission.Dead(Duration.ofMinutes(5), "refused"));
    }

    @Test
    void aLeaseShouldCountOnlyOnce() {
        DestinationGate.Lease lease = lease(DOMAIN);
        lease.unreachable("refused");
        lease.unreachable("refused");
        lease.unreachable("refused");
        lease.close();

        assertThat(testee.admit(DOMAIN)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void backoffsShouldDoubleUpToTheCap() {
        FairnessSettings settings = FairnessSettings.of(20, 5, 5, Duration.ofMinutes(5), Duration.ofHours(1));

        assertThat(List.of(settings.backoff(0), settings.backoff(1), settings.backoff(3), settings.backoff(4), settings.backoff(1000)))
            .containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(40), Duration.ofHours(1),
                Duration.ofHours(1));
    }

    @Test
    void settingsShouldRejectAStartAboveTheLimit() {
        assertThatThrownBy(() -> FairnessSettings.of(3, 5, 5, Duration.ofMinutes(5), Duration.ofHours(1)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultsShouldBePostfixs() {
        FairnessSettings defaults = FairnessSettings.defaults();

        assertThat(defaults.destinationConcurrency()).isEqualTo(20);
        assertThat(defaults.initialDestinationConcurrency()).isEqualTo(5);
        assertThat(defaults.deadDestinationFailures()).isEqualTo(5);
        assertThat(defaults.deadDestinationBackoff()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.deadDestinationMaxBackoff()).isEqualTo(Duration.ofHours(1));
    }

    /** Idle destinations are only forgotten in passing, by the next admission. */
    private void sweepWithAnotherAdmission() {
        testee.admit("other.example");
    }

    private void killDestination() {
        for (int i = 0; i < 3; i++) {
            failOnce("refused");
        }
        assertThat(testee.admit(DOMAIN)).isInstanceOf(Admission.Dead.class);
    }

    private void failOnce(String why) {
        lease(DOMAIN).unreachable(why);
    }

    private DestinationGate.Lease lease(String domain) {
        Admission admission = testee.admit(domain);
        assertThat(admission).isInstanceOf(Admission.Admitted.class);
        return ((Admission.Admitted) admission).lease();
    }

    private List<DestinationGate.Lease> admitAll(String domain) {
        List<DestinationGate.Lease> leases = new ArrayList<>();
        for (Admission admission = testee.admit(domain); admission instanceof Admission.Admitted admitted;
             admission = testee.admit(domain)) {
            leases.add(admitted.lease());
        }
        return leases;
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T12:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
