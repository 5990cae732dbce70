package org.postino.extensions.webadmin;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.queue.api.ManageableMailQueue.MailQueueItemView;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.postino.mailets.delivery.engine.DeliveryState;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * One mail of the outgoing queue as the operator sees it: the delivery engine's state read back from the
 * mail's attributes, and the time the queue itself will next hand the mail out.
 *
 * <p>The attribute names are the delivery engine's ({@code org.postino.mailets.delivery.engine.DeliveryState}),
 * repeated here because they are a durable format: mails written by one version are read by the next.
 */
final class QueuedMail {

    static final AttributeName ARRIVED = DeliveryState.ARRIVED;
    static final AttributeName ATTEMPTS = DeliveryState.ATTEMPTS;
    static final AttributeName LAST_ERROR = DeliveryState.LAST_ERROR;
    static final AttributeName NEXT_ATTEMPT = DeliveryState.NEXT_ATTEMPT;

    private final Mail mail;
    private final String destination;
    private final Instant arrived;
    private final int attempts;
    private final Optional<String> lastError;
    private final Optional<Instant> nextAttempt;
    private final Optional<Integer> priority;
    private final Optional<Instant> queueDelivery;

    private QueuedMail(Mail mail, String destination, Instant arrived, int attempts, Optional<String> lastError,
                       Optional<Instant> nextAttempt, Optional<Integer> priority, Optional<Instant> queueDelivery) {
        this.mail = mail;
        this.destination = destination;
        this.arrived = arrived;
        this.attempts = attempts;
        this.lastError = lastError;
        this.nextAttempt = nextAttempt;
        this.priority = priority;
        this.queueDelivery = queueDelivery;
    }

    /**
     * Reads {@code view}. A mail the engine has not stamped yet counts as arrived when it was last updated;
     * its next attempt is the queue's delivery time when the queue has one in the future of the epoch
     * (JMS queues write -1 for "no delay").
     */
    static QueuedMail of(MailQueueItemView view) {
        Mail mail = view.getMail();
        Optional<Instant> queueDelivery = view.getNextDelivery()
            .map(ZonedDateTime::toInstant)
            .filter(instant -> instant.toEpochMilli() > 0);
        Instant arrived = longAttribute(mail, ARRIVED).map(Instant::ofEpochMilli)
            .or(() -> Optional.ofNullable(mail.getLastUpdated()).map(Date::toInstant))
            .orElse(Instant.EPOCH);
        return new QueuedMail(mail,
            destinationOf(mail.getRecipients()),
            arrived,
            longAttribute(mail, ATTEMPTS).map(Long::intValue).orElse(0),
            stringAttribute(mail, LAST_ERROR),
            longAttribute(mail, NEXT_ATTEMPT).map(Instant::ofEpochMilli).or(() -> queueDelivery),
            mail.getAttribute(MailPrioritySupport.MAIL_PRIORITY)
                .flatMap(attribute -> number(attribute).map(Number::intValue)),
            queueDelivery);
    }

    /** Marks {@code copy} as due at {@code now}, so the listing tells the truth after a retry. */
    static void markDue(Mail copy, Instant now) {
        copy.setAttribute(new Attribute(NEXT_ATTEMPT, AttributeValue.of(now.toEpochMilli())));
    }

    /** The domain all the mail's recipients are in (the engine queues one mail per destination), lower case. */
    private static String destinationOf(Collection<MailAddress> recipients) {
        return recipients.stream().findFirst()
            .map(recipient -> recipient.getDomain().asString().toLowerCase(Locale.ROOT))
            .orElse("");
    }

    Mail mail() {
        return mail;
    }

    String name() {
        return mail.getName();
    }

    MaybeSender sender() {
        return mail.getMaybeSender();
    }

    List<MailAddress> recipients() {
        return List.copyOf(mail.getRecipients());
    }

    String destination() {
        return destination;
    }

    Instant arrived() {
        return arrived;
    }

    /** Never negative, even when the clocks of two machines disagree. */
    Duration ageAt(Instant now) {
        Duration age = Duration.between(arrived, now);
        return age.isNegative() ? Duration.ZERO : age;
    }

    int attempts() {
        return attempts;
    }

    Optional<String> lastError() {
        return lastError;
    }

    Optional<Instant> nextAttempt() {
        return nextAttempt;
    }

    Optional<Integer> priority() {
        return priority;
    }

    /** Whether the queue would hand the mail out now, with no retry needed. */
    boolean isDueAt(Instant now) {
        return queueDelivery.map(delivery -> !delivery.isAfter(now)).orElse(true);
    }

    /** How long the queue still keeps the mail back; zero when it is due. */
    Duration remainingDelayAt(Instant now) {
        return queueDelivery.map(delivery -> Duration.between(now, delivery))
            .filter(delay -> !delay.isNegative())
            .orElse(Duration.ZERO);
    }

    private static Optional<Long> longAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).flatMap(QueuedMail::number).map(Number::longValue);
    }

    private static Optional<Number> number(Attribute attribute) {
        Object value = attribute.getValue().value();
        return value instanceof Number ? Optional.of((Number) value) : Optional.empty();
    }

    private static Optional<String> stringAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).flatMap(attribute -> {
            Object value = attribute.getValue().value();
            return value instanceof String ? Optional.of((String) value) : Optional.empty();
        });
    }
}
