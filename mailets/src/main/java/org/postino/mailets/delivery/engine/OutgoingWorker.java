package org.postino.mailets.delivery.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.postino.mailets.delivery.dsn.EnhancedStatus;
import org.postino.mailets.delivery.fairness.Admission;
import org.postino.mailets.delivery.fairness.Contact;
import org.postino.mailets.delivery.fairness.DestinationGate;
import org.postino.mailets.delivery.policy.DeliveryPolicies;
import org.postino.mailets.delivery.policy.DeliveryPolicy;
import org.postino.mailets.delivery.routing.MxResolver;
import org.postino.mailets.delivery.routing.Route;
import org.postino.mailets.delivery.smtp.Envelope;
import org.postino.mailets.delivery.smtp.SmtpAddresses;
import org.postino.mailets.message.MessageBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one mail (all its recipients in one destination domain) from the outgoing queue and makes
 * one attempt: delivered and permanently failed recipients are done (with the notices they asked
 * for); the others go back into the queue with their state, for the next step of the schedule,
 * or fail for good when the schedule is over. The mail is put back before the queue hears that
 * the attempt is finished, so a crash at any point loses nothing.
 *
 * <p>Before connecting it asks the {@link DestinationGate}: a destination at its concurrency limit sends the mail
 * back to the queue to wait its turn (as long as the gate reckons the mails ahead of it take), and a dead destination sends it
 * back until its backoff is over (or until the end of the mail's lifetime, when that comes first); neither counts as
 * an attempt, and neither holds a delivery thread while waiting.
 */
final class OutgoingWorker {

    static final Duration AT_LIMIT_JITTER = Duration.ofSeconds(2);
    /** Marks a mail put back because its destination was at its limit, so the gate hears when it is back. */
    static final AttributeName WAITING_IN_LINE = AttributeName.of("org.postino.delivery.waitingInLine");

    private static final Logger LOGGER = LoggerFactory.getLogger(OutgoingWorker.class);

    private final MailQueue queue;
    private final DeliveryPolicies policies;
    private final MxResolver resolver;
    private final DestinationAttempt attempt;
    private final DestinationGate gate;
    private final Notices notices;
    private final FailedMail failedMail;
    private final Clock clock;
    private final Random random;

    OutgoingWorker(MailQueue queue, DeliveryPolicies policies, MxResolver resolver, DestinationAttempt attempt,
                   DestinationGate gate, Notices notices, FailedMail failedMail, Clock clock, Random random) {
        this.queue = queue;
        this.policies = policies;
        this.resolver = resolver;
        this.attempt = attempt;
        this.gate = gate;
        this.notices = notices;
        this.failedMail = failedMail;
        this.clock = clock;
        this.random = random;
    }

    void process(Mail mail) throws MessagingException {
        Instant now = clock.instant();
        DeliveryState state = DeliveryState.of(mail, now);
        List<MailAddress> recipients = new ArrayList<>(mail.getRecipients());
        if (recipients.isEmpty()) {
            return;
        }
        String domain = SmtpAddresses.domain(recipients.get(0));
        DeliveryPolicy policy = policies.forDomain(domain);
        int priority = priority(mail);
        if (mail.removeAttribute(WAITING_IN_LINE).isPresent()) {
            gate.backInLine(domain, priority);
        }
        Admission admission = gate.admit(domain);
        if (admission instanceof Admission.AtLimit atLimit) {
            putBackAtLimit(mail, state, domain, priority, atLimit, now);
        } else if (admission instanceof Admission.Dead dead) {
            holdForDeadDestination(mail, state, policy, domain, dead, now);
        } else {
            List<RecipientResult> results;
            try (DestinationGate.Lease lease = ((Admission.Admitted) admission).lease()) {
                DestinationAttempt.Outcome outcome = attemptSafely(mail, domain, policy, recipients);
                lease.release(outcome.contact(), outcome.lastHostFailure());
                results = outcome.results();
            }
            settle(mail, state, policy, domain, results, now);
        }
    }

    private void settle(Mail mail, DeliveryState state, DeliveryPolicy policy, String domain, List<RecipientResult> results,
                        Instant now) throws MessagingException {
        List<RecipientResult> delivered = select(results, RecipientResult::delivered);
        List<RecipientResult> failed = select(results, RecipientResult::permanent);
        List<RecipientResult> deferred = select(results, RecipientResult::temporary);
        log(mail, domain, results);
        notices.relayed(mail, state.arrived(), delivered);
        notices.failed(mail, state.arrived(), failed);
        failedMail.handOver(mail, state.afterFailedAttempt(failed.isEmpty() ? "" : failed.get(0).describe()), failed);
        if (!deferred.isEmpty()) {
            DeliveryState next = state.afterFailedAttempt(deferred.get(0).describe());
            putBack(mail, next, policy, deferred, now,
                after -> policy.delayBeforeAttempt(after.attempts(), random::nextDouble), "attempt " + next.attempts() + " failed");
        }
    }

    /**
     * Not an attempt: the mail waits its turn in the queue, as long as the gate says the mails ahead of it (same or
     * higher priority) take, plus up to {@link #AT_LIMIT_JITTER}; its state is unchanged.
     */
    private void putBackAtLimit(Mail mail, DeliveryState state, String domain, int priority, Admission.AtLimit atLimit,
                                Instant now) throws MessagingException {
        Duration delay = gate.waitInLine(domain, priority).plusMillis((long) (random.nextDouble() * AT_LIMIT_JITTER.toMillis()));
        mail.setAttribute(new Attribute(WAITING_IN_LINE, AttributeValue.of(true)));
        state.writeTo(mail, Optional.of(now.plus(delay)));
        queue.enQueue(mail, delay);
        LOGGER.debug("{}: {} is at its limit of {} deliveries at once; back in {}", mail.getName(), domain, atLimit.window(), delay);
    }

    /**
     * Not an attempt either: no connection, and the mail waits for the end of the destination's backoff. Its lifetime
     * and delay notices still apply, with the destination's last failure as the reason.
     */
    private void holdForDeadDestination(Mail mail, DeliveryState state, DeliveryPolicy policy, String domain, Admission.Dead dead,
                                        Instant now) throws MessagingException {
        String reason = "destination " + domain + " not tried, unreachable on the last attempts (" + dead.lastFailure() + ")";
        List<RecipientResult> deferred = new ArrayList<>();
        mail.getRecipients().forEach(recipient -> deferred.add(
            new RecipientResult(recipient, EnhancedStatus.CONNECTION, Optional.empty(), Optional.empty(), reason)));
        Duration untilGiveUp = Duration.between(now, policy.giveUpAt(state.arrived()));
        Duration delay = dead.remaining().compareTo(untilGiveUp) < 0 ? dead.remaining() : untilGiveUp;
        putBack(mail, state, policy, deferred, now, after -> delay, domain + " is dead, not tried");
    }

    private DestinationAttempt.Outcome attemptSafely(Mail mail, String domain, DeliveryPolicy policy, List<MailAddress> recipients) {
        try {
            Route route = resolver.resolve(domain);
            Envelope envelope = Envelope.of(mail.getMaybeSender(), recipients, mail.dsnParameters(), mail.getMessageSize());
            byte[] content = content(mail);
            return attempt.run(route, policy, envelope, () -> new ByteArrayInputStream(content));
        } catch (MessagingException | IOException | RuntimeException e) {
            LOGGER.error("Attempt to deliver {} to {} failed locally; will retry", mail.getName(), domain, e);
            List<RecipientResult> results = new ArrayList<>();
            recipients.forEach(recipient -> results.add(new RecipientResult(recipient, EnhancedStatus.of(4, 3, 0),
                Optional.empty(), Optional.empty(), "local error: " + e.getMessage())));
            return new DestinationAttempt.Outcome(results, Contact.NOT_TRIED, "");
        }
    }

    /**
     * Gives up on {@code deferred} when {@code next} is past the policy's limits; otherwise sends the delay notices
     * that are due and files the mail again for after {@code delayAfter(next)}.
     */
    private void putBack(Mail mail, DeliveryState next, DeliveryPolicy policy, List<RecipientResult> deferred, Instant now,
                         Function<DeliveryState, Duration> delayAfter, String what) throws MessagingException {
        if (policy.givesUp(next.arrived(), next.attempts(), now)) {
            LOGGER.info("Giving up on {} after {} attempts since {}", mail.getName(), next.attempts(), next.arrived());
            notices.failed(mail, next.arrived(), deferred);
            failedMail.handOver(mail, next, deferred);
            return;
        }
        List<Duration> due = policy.noticesDue(next.arrived(), next.noticesSent(), now);
        if (!due.isEmpty()) {
            notices.delayed(mail, next.arrived(), deferred, policy.giveUpAt(next.arrived()));
            next = next.withNoticesSent(Set.copyOf(due));
        }
        Duration delay = delayAfter.apply(next);
        mail.setRecipients(deferred.stream().map(RecipientResult::recipient).collect(Collectors.toList()));
        next.writeTo(mail, Optional.of(now.plus(delay)));
        queue.enQueue(mail, delay);
        // The server's RemoteDeliveryIT reads "<mail>: <n> recipient(s) deferred, attempt <k> failed" from this line.
        LOGGER.info("{}: {} recipient(s) deferred, {}, next attempt in {}", mail.getName(), deferred.size(), what, delay);
    }

    /** The mail's queue priority (James's MAIL_PRIORITY, 0..9), normal (5) when it has none. */
    static int priority(Mail mail) {
        return mail.getAttribute(MailPrioritySupport.MAIL_PRIORITY)
            .map(Attribute::getValue)
            .map(AttributeValue::getValue)
            .filter(Number.class::isInstance)
            .map(value -> ((Number) value).intValue())
            .orElse(MailPrioritySupport.NORMAL_PRIORITY);
    }

    /** The message as queued, byte for byte (James's own writeTo would turn raw 8-bit header bytes into '?'). */
    private static byte[] content(Mail mail) throws MessagingException, IOException {
        return MessageBytes.toByteArray(mail.getMessage());
    }

    private static List<RecipientResult> select(List<RecipientResult> results, java.util.function.Predicate<RecipientResult> which) {
        return results.stream().filter(which).collect(Collectors.toList());
    }

    private static void log(Mail mail, String domain, List<RecipientResult> results) {
        for (RecipientResult result : results) {
            String verdict = result.delivered() ? "delivered" : result.permanent() ? "failed" : "deferred";
            LOGGER.info("{} to {}: {} {}", mail.getName(), domain, verdict, result.describe());
        }
    }
}
