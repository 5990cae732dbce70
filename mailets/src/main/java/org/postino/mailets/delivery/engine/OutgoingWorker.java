package org.postino.mailets.delivery.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.postino.mailets.delivery.dsn.EnhancedStatus;
import org.postino.mailets.delivery.policy.DeliveryPolicies;
import org.postino.mailets.delivery.policy.DeliveryPolicy;
import org.postino.mailets.delivery.routing.MxResolver;
import org.postino.mailets.delivery.routing.Route;
import org.postino.mailets.delivery.smtp.Envelope;
import org.postino.mailets.delivery.smtp.SmtpAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one mail (all its recipients in one destination domain) from the outgoing queue and makes
 * one attempt: delivered and permanently failed recipients are done (with the notices they asked
 * for); the others go back into the queue with their state, for the next step of the schedule,
 * or fail for good when the schedule is over. The mail is put back before the queue hears that
 * the attempt is finished, so a crash at any point loses nothing.
 */
final class OutgoingWorker {

    private static final Logger LOGGER = LoggerFactory.getLogger(OutgoingWorker.class);

    private final MailQueue queue;
    private final DeliveryPolicies policies;
    private final MxResolver resolver;
    private final DestinationAttempt attempt;
    private final Notices notices;
    private final Clock clock;
    private final Random random;

    OutgoingWorker(MailQueue queue, DeliveryPolicies policies, MxResolver resolver, DestinationAttempt attempt,
                   Notices notices, Clock clock, Random random) {
        this.queue = queue;
        this.policies = policies;
        this.resolver = resolver;
        this.attempt = attempt;
        this.notices = notices;
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
        List<RecipientResult> results = attemptSafely(mail, domain, policy, recipients);

        List<RecipientResult> delivered = select(results, RecipientResult::delivered);
        List<RecipientResult> failed = select(results, RecipientResult::permanent);
        List<RecipientResult> deferred = select(results, RecipientResult::temporary);
        log(mail, domain, results);
        notices.relayed(mail, state.arrived(), delivered);
        notices.failed(mail, state.arrived(), failed);
        if (!deferred.isEmpty()) {
            reschedule(mail, state, policy, deferred, now);
        }
    }

    private List<RecipientResult> attemptSafely(Mail mail, String domain, DeliveryPolicy policy, List<MailAddress> recipients) {
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
            return results;
        }
    }

    private void reschedule(Mail mail, DeliveryState state, DeliveryPolicy policy, List<RecipientResult> deferred, Instant now)
        throws MessagingException {
        DeliveryState next = state.afterFailedAttempt(deferred.get(0).describe());
        if (policy.givesUp(next.arrived(), next.attempts(), now)) {
            LOGGER.info("Giving up on {} after {} attempts since {}", mail.getName(), next.attempts(), next.arrived());
            notices.failed(mail, state.arrived(), deferred);
            return;
        }
        List<Duration> due = policy.noticesDue(next.arrived(), next.noticesSent(), now);
        if (!due.isEmpty()) {
            notices.delayed(mail, state.arrived(), deferred, policy.giveUpAt(next.arrived()));
            next = next.withNoticesSent(Set.copyOf(due));
        }
        Duration delay = policy.delayBeforeAttempt(next.attempts(), random::nextDouble);
        mail.setRecipients(deferred.stream().map(RecipientResult::recipient).collect(Collectors.toList()));
        next.writeTo(mail, Optional.of(now.plus(delay)));
        queue.enQueue(mail, delay);
        LOGGER.info("{}: {} recipient(s) deferred, attempt {} failed, next attempt in {}", mail.getName(), deferred.size(),
            next.attempts(), delay);
    }

    private static byte[] content(Mail mail) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toByteArray();
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
