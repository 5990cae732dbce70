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

    @Test
    void waitInLineShouldSpreadABacklogAtThePaceTheDestinationCanDeliver() {
        // One attempt of 10 s: the mean moves from the 0.5 s guess to 0.8 * 0.5 + 0.2 * 10 = 2.4 s.
        DestinationGate.Lease first = admitAll(DOMAIN).get(0);
        clock.advance(Duration.ofSeconds(10));
        first.reached();
        admitAll(DOMAIN);
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            waits.add(testee.waitInLine(DOMAIN, 0));
        }

        assertThat(waits.get(0)).as("nobody ahead: the shortest wait").isEqualTo(DestinationGate.SHORTEST_WAIT);
        assertThat(waits).as("each one later than the one before it, beyond the shortest").isSorted();
        assertThat(waits.get(29)).as("29 ahead, at most 4 at once, 2.4 s each").isEqualTo(Duration.ofMillis(29 * 2400 / 4));
        assertThat(testee.waiting(DOMAIN)).isEqualTo(30);
    }

    @Test
    void waitInLineShouldLetAHigherPriorityMailPassTheLowerOnes() {
        admitAll(DOMAIN);
        for (int i = 0; i < 100; i++) {
            testee.waitInLine(DOMAIN, 0);
        }

        assertThat(testee.waitInLine(DOMAIN, 9)).as("nothing of priority 9 ahead").isEqualTo(DestinationGate.SHORTEST_WAIT);
        assertThat(testee.waitInLine(DOMAIN, 0)).as("behind 100 bulk mails and the urgent one, 4 at once, 0.5 s each").isEqualTo(Duration.ofMillis(101 * 500 / 4));
    }

    @Test
    void backInLineAndOverdueMailsShouldStopCounting() {
        admitAll(DOMAIN);
        for (int i = 0; i < 10; i++) {
            testee.waitInLine(DOMAIN, 5);
        }
        testee.backInLine(DOMAIN, 5);
        testee.backInLine(DOMAIN, 5);
        assertThat(testee.waiting(DOMAIN)).isEqualTo(8);

        // Removed from the queue by an operator, say: they never come back, and stop counting once overdue.
        clock.advance(DestinationGate.LONGEST_WAIT.plus(DestinationGate.OVERDUE).plusSeconds(1));
        assertThat(testee.waiting(DOMAIN)).isZero();
        assertThat(testee.waitInLine(DOMAIN, 5)).isEqualTo(DestinationGate.SHORTEST_WAIT);
    }

    @Test
    void waitInLineShouldNeverExceedTheLongestWait() {
        admitAll(DOMAIN).forEach(lease -> {
            clock.advance(Duration.ofMinutes(30));
            lease.reached();
        });
        for (int i = 0; i < 1000; i++) {
            assertThat(testee.waitInLine(DOMAIN, 1)).isLessThanOrEqualTo(DestinationGate.LONGEST_WAIT);
        }
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
