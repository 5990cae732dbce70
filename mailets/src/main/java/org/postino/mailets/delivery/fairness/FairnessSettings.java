package org.postino.mailets.delivery.fairness;

import java.time.Duration;
import java.util.Objects;

import org.postino.mailets.delivery.policy.Durations;

/**
 * How far one destination may go: its concurrency limit, the concurrency it starts from, and when and for how long
 * it counts as dead. Every value is declared here with its default and its range.
 */
public final class FairnessSettings {

    /** Postfix's {@code default_destination_concurrency_limit}. */
    public static final int DEFAULT_DESTINATION_CONCURRENCY = 20;
    /** Postfix's {@code initial_destination_concurrency}. */
    public static final int DEFAULT_INITIAL_DESTINATION_CONCURRENCY = 5;
    public static final int MAX_DESTINATION_CONCURRENCY = 500;
    public static final int DEFAULT_DEAD_DESTINATION_FAILURES = 5;
    public static final int MAX_DEAD_DESTINATION_FAILURES = 1000;
    public static final Duration DEFAULT_DEAD_DESTINATION_BACKOFF = Duration.ofMinutes(5);
    public static final Duration DEFAULT_DEAD_DESTINATION_MAX_BACKOFF = Duration.ofHours(1);
    public static final Duration MAX_BACKOFF = Duration.ofDays(1);

    private final int destinationConcurrency;
    private final int initialDestinationConcurrency;
    private final int deadDestinationFailures;
    private final Duration deadDestinationBackoff;
    private final Duration deadDestinationMaxBackoff;

    private FairnessSettings(int destinationConcurrency, int initialDestinationConcurrency, int deadDestinationFailures,
                             Duration deadDestinationBackoff, Duration deadDestinationMaxBackoff) {
        this.destinationConcurrency = destinationConcurrency;
        this.initialDestinationConcurrency = initialDestinationConcurrency;
        this.deadDestinationFailures = deadDestinationFailures;
        this.deadDestinationBackoff = deadDestinationBackoff;
        this.deadDestinationMaxBackoff = deadDestinationMaxBackoff;
    }

    public static FairnessSettings defaults() {
        return of(DEFAULT_DESTINATION_CONCURRENCY, DEFAULT_INITIAL_DESTINATION_CONCURRENCY, DEFAULT_DEAD_DESTINATION_FAILURES,
            DEFAULT_DEAD_DESTINATION_BACKOFF, DEFAULT_DEAD_DESTINATION_MAX_BACKOFF);
    }

    /** @throws IllegalArgumentException when a value is out of its range, or the values contradict each other */
    public static FairnessSettings of(int destinationConcurrency, int initialDestinationConcurrency, int deadDestinationFailures,
                                      Duration deadDestinationBackoff, Duration deadDestinationMaxBackoff) {
        check(destinationConcurrency >= 1 && destinationConcurrency <= MAX_DESTINATION_CONCURRENCY, "destinationConcurrency");
        check(initialDestinationConcurrency >= 1 && initialDestinationConcurrency <= destinationConcurrency,
            "initialDestinationConcurrency");
        check(deadDestinationFailures >= 1 && deadDestinationFailures <= MAX_DEAD_DESTINATION_FAILURES, "deadDestinationFailures");
        check(isBackoff(deadDestinationBackoff), "deadDestinationBackoff");
        check(isBackoff(deadDestinationMaxBackoff) && deadDestinationMaxBackoff.compareTo(deadDestinationBackoff) >= 0,
            "deadDestinationMaxBackoff");
        return new FairnessSettings(destinationConcurrency, initialDestinationConcurrency, deadDestinationFailures,
            deadDestinationBackoff, deadDestinationMaxBackoff);
    }

    static boolean isBackoff(Duration duration) {
        return duration != null && duration.compareTo(Duration.ZERO) > 0 && duration.compareTo(MAX_BACKOFF) <= 0;
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException(what + " out of range");
        }
    }

    public int destinationConcurrency() {
        return destinationConcurrency;
    }

    public int initialDestinationConcurrency() {
        return initialDestinationConcurrency;
    }

    public int deadDestinationFailures() {
        return deadDestinationFailures;
    }

    public Duration deadDestinationBackoff() {
        return deadDestinationBackoff;
    }

    public Duration deadDestinationMaxBackoff() {
        return deadDestinationMaxBackoff;
    }

    /** The n-th backoff in a row (from 0): the first doubled n times, at most the cap. */
    Duration backoff(int declaredBefore) {
        Duration backoff = deadDestinationBackoff;
        for (int i = 0; i < declaredBefore && backoff.compareTo(deadDestinationMaxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(deadDestinationMaxBackoff) < 0 ? backoff : deadDestinationMaxBackoff;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FairnessSettings)) {
            return false;
        }
        FairnessSettings that = (FairnessSettings) o;
        return destinationConcurrency == that.destinationConcurrency
            && initialDestinationConcurrency == that.initialDestinationConcurrency
            && deadDestinationFailures == that.deadDestinationFailures
            && deadDestinationBackoff.equals(that.deadDestinationBackoff)
            && deadDestinationMaxBackoff.equals(that.deadDestinationMaxBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destinationConcurrency, initialDestinationConcurrency, deadDestinationFailures,
            deadDestinationBackoff, deadDestinationMaxBackoff);
    }

    @Override
    public String toString() {
        return "FairnessSettings[concurrency " + initialDestinationConcurrency + ".." + destinationConcurrency
            + ", dead after " + deadDestinationFailures + " unreachable for " + Durations.format(deadDestinationBackoff) + ".."
            + Durations.format(deadDestinationMaxBackoff) + "]";
    }
}
