package org.postino.mailets.delivery.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;

/**
 * How mail to one destination domain is retried, given up on, reported as delayed, and sent: the retry schedule,
 * the queue lifetime, the delay-notice thresholds, the SMTP timeouts, the TLS rule and the recipients per
 * transaction. Immutable and always valid; {@link DeliveryPolicies} parses them from the mailet's parameters, where
 * the operator's view of each value is documented. The defaults are declared, and justified, below.
 */
public final class DeliveryPolicy {

    /**
     * {@code 5m, 10m, 20m, 40m, 1h...}: Postfix's backoff ({@code minimal_backoff_time = 300s}, doubling up to
     * {@code maximal_backoff_time = 4000s}) in round figures. The last step repeats.
     */
    public static final List<Duration> DEFAULT_RETRY_SCHEDULE = List.of(
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(40),
        Duration.ofHours(1));
    /** {@code 0.1}: each delay is stretched or shrunk by up to 10%, so mail deferred together is not retried together. */
    public static final double DEFAULT_RETRY_JITTER = 0.1;
    /** Beyond ±50% the schedule the operator wrote would no longer mean much. */
    public static final double MAX_RETRY_JITTER = 0.5;
    /** {@code 5d}: Postfix's {@code maximal_queue_lifetime}, and RFC 5321 section 4.5.4.1's "at least 4-5 days". */
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(5);
    /** {@code 4h}: sendmail's {@code Timeout.queuewarn}, and the value Postfix's {@code delay_warning_time} is usually given. */
    public static final List<Duration> DEFAULT_DELAY_NOTICES = List.of(Duration.ofHours(4));
    /** {@code 30s}: Postfix's {@code smtp_connect_timeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** {@code 5m}: RFC 5321 section 4.5.3.2 (MAIL, RCPT) and Postfix's {@code smtp_mail_timeout}, {@code smtp_rcpt_timeout}. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(5);
    /** {@code 10m}: RFC 5321 section 4.5.3.2.6 (the reply to the final dot) and Postfix's {@code smtp_data_done_timeout}. */
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(10);
    /** {@code 1h}: a longer socket timeout is a stuck connection; it also keeps every timeout within an int of millis. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** {@link TlsMode#OPPORTUNISTIC}: STARTTLS when offered, as Postfix's {@code may}. */
    public static final TlsMode DEFAULT_TLS = TlsMode.OPPORTUNISTIC;
    /** {@code 100}: RFC 5321 section 4.5.3.1.8, the number of recipients every server must accept in one transaction. */
    public static final int DEFAULT_MAX_RECIPIENTS_PER_TRANSACTION = 100;
    /** {@code 1000}: beyond this, one 4xx to the transaction defers too many recipients at once. */
    public static final int MAX_RECIPIENTS_PER_TRANSACTION_LIMIT = 1000;

    /** Rules that tie two values together, checked when a policy is built. */
    enum Inconsistency {
        /** The message would be returned before its first retry. */
        FIRST_RETRY_AFTER_LIFETIME,
        /** A notice due at or after the lifetime can never be sent: the message gives up first. */
        DELAY_NOTICE_NOT_BEFORE_LIFETIME
    }

    private final List<Duration> retrySchedule;
    private final double retryJitter;
    private final Duration lifetime;
    private final Optional<Integer> maxAttempts;
    private final List<Duration> delayNotices;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Duration dataTimeout;
    private final TlsMode tls;
    private final int maxRecipientsPerTransaction;

    private DeliveryPolicy(Builder builder) {
        this.retrySchedule = builder.retrySchedule;
        this.retryJitter = builder.retryJitter;
        this.lifetime = builder.lifetime;
        this.maxAttempts = builder.maxAttempts;
        this.delayNotices = builder.delayNotices;
        this.connectTimeout = builder.connectTimeout;
        this.commandTimeout = builder.commandTimeout;
        this.dataTimeout = builder.dataTimeout;
        this.tls = builder.tls;
        this.maxRecipientsPerTransaction = builder.maxRecipientsPerTransaction;
    }

    /** Every value at its default. */
    public static DeliveryPolicy defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy's values: how a per-domain override inherits what it does not set. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * How long to wait after the {@code attemptsSoFar}-th failed attempt: step {@code attemptsSoFar} of the schedule
     * (the last step once past the end), scaled by {@code 1 + retryJitter * (2r - 1)}.
     *
     * @param attemptsSoFar attempts made so far, at least 1
     * @param random yields {@code r} in [0, 1): 0 gives the shortest delay, 0.5 the step itself, near 1 the longest
     */
    public Duration delayBeforeAttempt(int attemptsSoFar, DoubleSupplier random) {
        if (attemptsSoFar < 1) {
            throw new IllegalArgumentException("attemptsSoFar must be at least 1, was " + attemptsSoFar);
        }
        double r = random.getAsDouble();
        if (!(r >= 0 && r < 1)) {
            throw new IllegalArgumentException("random must yield a number in [0, 1), yielded " + r);
        }
        Duration step = retrySchedule.get(Math.min(attemptsSoFar - 1, retrySchedule.size() - 1));
        return Duration.ofMillis(Math.round(step.toMillis() * (1 + retryJitter * (2 * r - 1))));
    }

    /** When the message is returned to its sender if it is still undelivered: {@code firstAttempt + lifetime}. */
    public Instant giveUpAt(Instant firstAttempt) {
        return firstAttempt.plus(lifetime);
    }

    /** Whether to stop retrying: the lifetime has run out, or {@code maxAttempts} attempts were made, whichever first. */
    public boolean givesUp(Instant firstAttempt, int attemptsSoFar, Instant now) {
        return !now.isBefore(giveUpAt(firstAttempt)) || maxAttempts.map(max -> attemptsSoFar >= max).orElse(false);
    }

    /**
     * The delay-notice thresholds reached by {@code now} and not in {@code alreadySent}, shortest first. A message
     * that crossed several at once (e.g. after a long outage) gets all of them here: the caller sends one
     * {@code delayed} notice, then records every returned threshold as sent, so no threshold is ever announced
     * twice and the sender is not sent a burst. Callers check {@link #givesUp} first: a message that gives up gets
     * a {@code failed} notice instead.
     */
    public List<Duration> noticesDue(Instant firstAttempt, Set<Duration> alreadySent, Instant now) {
        return delayNotices.stream()
            .filter(threshold -> !alreadySent.contains(threshold))
            .filter(threshold -> !now.isBefore(firstAttempt.plus(threshold)))
            .collect(Collectors.toUnmodifiableList());
    }

    /** Waits between attempts, never empty; the last one repeats. */
    public List<Duration> retrySchedule() {
        return retrySchedule;
    }

    /** How much each wait is randomised, 0 to {@value #MAX_RETRY_JITTER}: 0.1 means ±10%. */
    public double retryJitter() {
        return retryJitter;
    }

    /** How long after the first attempt the message is given up and returned. */
    public Duration lifetime() {
        return lifetime;
    }

    /** The most attempts made before giving up, if limited; otherwise only the lifetime counts. */
    public Optional<Integer> maxAttempts() {
        return maxAttempts;
    }

    /** Delays after which the sender is told the message is still queued, shortest first; empty for no notices. */
    public List<Duration> delayNotices() {
        return delayNotices;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The wait for the reply to each command, and for the greeting. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** The wait for the reply after the message content, the final dot. */
    public Duration dataTimeout() {
        return dataTimeout;
    }

    public TlsMode tls() {
        return tls;
    }

    /** The most recipients sent in one SMTP transaction; more go in further transactions. */
    public int maxRecipientsPerTransaction() {
        return maxRecipientsPerTransaction;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeliveryPolicy)) {
            return false;
        }
        DeliveryPolicy that = (DeliveryPolicy) o;
        return retrySchedule.equals(that.retrySchedule) && retryJitter == that.retryJitter
            && lifetime.equals(that.lifetime) && maxAttempts.equals(that.maxAttempts)
            && delayNotices.equals(that.delayNotices) && connectTimeout.equals(that.connectTimeout)
            && commandTimeout.equals(that.commandTimeout) && dataTimeout.equals(that.dataTimeout)
            && tls == that.tls && maxRecipientsPerTransaction == that.maxRecipientsPerTransaction;
    }

    @Override
    public int hashCode() {
        return Objects.hash(retrySchedule, retryJitter, lifetime, maxAttempts, delayNotices, connectTimeout,
            commandTimeout, dataTimeout, tls, maxRecipientsPerTransaction);
    }

    @Override
    public String toString() {
        return "DeliveryPolicy[retrySchedule=" + Durations.format(retrySchedule) + "..., retryJitter=" + retryJitter
            + ", lifetime=" + Durations.format(lifetime) + ", maxAttempts=" + maxAttempts.map(String::valueOf).orElse("none")
            + ", delayNotices=" + (delayNotices.isEmpty() ? "none" : Durations.format(delayNotices))
            + ", connectTimeout=" + Durations.format(connectTimeout) + ", commandTimeout=" + Durations.format(commandTimeout)
            + ", dataTimeout=" + Durations.format(dataTimeout) + ", tls=" + tls
            + ", maxRecipientsPerTransaction=" + maxRecipientsPerTransaction + "]";
    }

    /**
     * Sets values one by one; each setter rejects a value out of its own range with an
     * {@link IllegalArgumentException}, and {@link #build()} rejects values that contradict each other.
     */
    public static final class Builder {
        private List<Duration> retrySchedule = DEFAULT_RETRY_SCHEDULE;
        private double retryJitter = DEFAULT_RETRY_JITTER;
        private Duration lifetime = DEFAULT_LIFETIME;
        private Optional<Integer> maxAttempts = Optional.empty();
        private List<Duration> delayNotices = DEFAULT_DELAY_NOTICES;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration dataTimeout = DEFAULT_DATA_TIMEOUT;
        private TlsMode tls = DEFAULT_TLS;
        private int maxRecipientsPerTransaction = DEFAULT_MAX_RECIPIENTS_PER_TRANSACTION;

        private Builder() {
        }

        private Builder(DeliveryPolicy policy) {
            retrySchedule = policy.retrySchedule;
            retryJitter = policy.retryJitter;
            lifetime = policy.lifetime;
            maxAttempts = policy.maxAttempts;
            delayNotices = policy.delayNotices;
            connectTimeout = policy.connectTimeout;
            commandTimeout = policy.commandTimeout;
            dataTimeout = policy.dataTimeout;
            tls = policy.tls;
            maxRecipientsPerTransaction = policy.maxRecipientsPerTransaction;
        }

        /** Non-empty, every step greater than zero. */
        public Builder retrySchedule(List<Duration> steps) {
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("the retry schedule needs at least one step");
            }
            steps.forEach(step -> requirePositive(step, "retry step"));
            retrySchedule = List.copyOf(steps);
            return this;
        }

        /** From 0 to {@value #MAX_RETRY_JITTER}. */
        public Builder retryJitter(double jitter) {
            if (!(jitter >= 0 && jitter <= MAX_RETRY_JITTER)) {
                throw new IllegalArgumentException("retry jitter must be from 0 to " + MAX_RETRY_JITTER + ", was " + jitter);
            }
            retryJitter = jitter;
            return this;
        }

        /** Greater than zero. */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = requirePositive(lifetime, "lifetime");
            return this;
        }

        /** At least 1. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = Optional.of(maxAttempts);
            return this;
        }

        /** Only the lifetime limits the attempts. */
        public Builder noMaxAttempts() {
            this.maxAttempts = Optional.empty();
            return this;
        }

        /** In any order, each greater than zero and given once; an empty list means no delay notices. */
        public Builder delayNotices(List<Duration> thresholds) {
            thresholds.forEach(threshold -> requirePositive(threshold, "delay notice threshold"));
            if (new HashSet<>(thresholds).size() != thresholds.size()) {
                throw new IllegalArgumentException("delay notice thresholds must be distinct, were " + thresholds);
            }
            delayNotices = thresholds.stream().sorted().collect(Collectors.toUnmodifiableList());
            return this;
        }

        /** Greater than zero, at most {@link #MAX_TIMEOUT}. */
        public Builder connectTimeout(Duration timeout) {
            connectTimeout = requireTimeout(timeout, "connect timeout");
            return this;
        }

        /** Greater than zero, at most {@link #MAX_TIMEOUT}. */
        public Builder commandTimeout(Duration timeout) {
            commandTimeout = requireTimeout(timeout, "command timeout");
            return this;
        }

        /** Greater than zero, at most {@link #MAX_TIMEOUT}. */
        public Builder dataTimeout(Duration timeout) {
            dataTimeout = requireTimeout(timeout, "data timeout");
            return this;
        }

        public Builder tls(TlsMode tls) {
            this.tls = Objects.requireNonNull(tls);
            return this;
        }

        /** From 1 to {@value #MAX_RECIPIENTS_PER_TRANSACTION_LIMIT}. */
        public Builder maxRecipientsPerTransaction(int limit) {
            if (limit < 1 || limit > MAX_RECIPIENTS_PER_TRANSACTION_LIMIT) {
                throw new IllegalArgumentException("max recipients per transaction must be from 1 to "
                    + MAX_RECIPIENTS_PER_TRANSACTION_LIMIT + ", was " + limit);
            }
            maxRecipientsPerTransaction = limit;
            return this;
        }

        /** @throws IllegalArgumentException when the values contradict each other, see {@link Inconsistency} */
        public DeliveryPolicy build() {
            Set<Inconsistency> inconsistencies = inconsistencies();
            if (!inconsistencies.isEmpty()) {
                throw new IllegalArgumentException("inconsistent delivery policy " + inconsistencies
                    + ": lifetime " + Durations.format(lifetime) + ", retry schedule " + Durations.format(retrySchedule)
                    + ", delay notices " + Durations.format(delayNotices));
            }
            return new DeliveryPolicy(this);
        }

        Set<Inconsistency> inconsistencies() {
            Set<Inconsistency> inconsistencies = EnumSet.noneOf(Inconsistency.class);
            if (retrySchedule.get(0).compareTo(lifetime) > 0) {
                inconsistencies.add(Inconsistency.FIRST_RETRY_AFTER_LIFETIME);
            }
            if (!delayNotices.isEmpty() && lastDelayNotice().compareTo(lifetime) >= 0) {
                inconsistencies.add(Inconsistency.DELAY_NOTICE_NOT_BEFORE_LIFETIME);
            }
            return inconsistencies;
        }

        Builder copy() {
            Builder copy = new Builder();
            copy.retrySchedule = retrySchedule;
            copy.retryJitter = retryJitter;
            copy.lifetime = lifetime;
            copy.maxAttempts = maxAttempts;
            copy.delayNotices = delayNotices;
            copy.connectTimeout = connectTimeout;
            copy.commandTimeout = commandTimeout;
            copy.dataTimeout = dataTimeout;
            copy.tls = tls;
            copy.maxRecipientsPerTransaction = maxRecipientsPerTransaction;
            return copy;
        }

        Duration firstRetryStep() {
            return retrySchedule.get(0);
        }

        Duration lifetime() {
            return lifetime;
        }

        Duration lastDelayNotice() {
            return delayNotices.get(delayNotices.size() - 1);
        }

        private static Duration requirePositive(Duration duration, String what) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be greater than zero, was " + duration);
            }
            return duration;
        }

        private static Duration requireTimeout(Duration timeout, String what) {
            if (requirePositive(timeout, what).compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException(what + " must be at most " + Durations.format(MAX_TIMEOUT) + ", was " + timeout);
            }
            return timeout;
        }
    }
}
