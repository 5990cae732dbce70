package org.postino.mailets.delivery.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * Where a message stands in its retry schedule. It lives in the mail's attributes, which travel
 * with the mail in the durable outgoing queue, so a restart resumes the schedule where it was.
 * The recipients still to be delivered are the mail's own recipients.
 */
public final class DeliveryState {

    public static final AttributeName ARRIVED = AttributeName.of("org.postino.delivery.arrived");
    public static final AttributeName ATTEMPTS = AttributeName.of("org.postino.delivery.attempts");
    public static final AttributeName NOTICES_SENT = AttributeName.of("org.postino.delivery.noticesSent");
    public static final AttributeName LAST_ERROR = AttributeName.of("org.postino.delivery.lastError");
    public static final AttributeName NEXT_ATTEMPT = AttributeName.of("org.postino.delivery.nextAttempt");

    private final Instant arrived;
    private final int attempts;
    private final Set<Duration> noticesSent;
    private final Optional<String> lastError;

    private DeliveryState(Instant arrived, int attempts, Set<Duration> noticesSent, Optional<String> lastError) {
        this.arrived = arrived;
        this.attempts = attempts;
        this.noticesSent = Set.copyOf(noticesSent);
        this.lastError = lastError;
    }

    public static DeliveryState arriving(Instant now) {
        return new DeliveryState(now, 0, Set.of(), Optional.empty());
    }

    /** The state stored in {@code mail}, or a fresh one arriving {@code now} when it has none. */
    public static DeliveryState of(Mail mail, Instant now) {
        Optional<Instant> arrived = longAttribute(mail, ARRIVED).map(Instant::ofEpochMilli);
        if (arrived.isEmpty()) {
            return arriving(now);
        }
        int attempts = longAttribute(mail, ATTEMPTS).map(Long::intValue).orElse(0);
        Set<Duration> notices = stringAttribute(mail, NOTICES_SENT)
            .map(DeliveryState::parseNotices)
            .orElse(Set.of());
        return new DeliveryState(arrived.get(), attempts, notices, stringAttribute(mail, LAST_ERROR));
    }

    public DeliveryState afterFailedAttempt(String error) {
        return new DeliveryState(arrived, attempts + 1, noticesSent, Optional.of(error));
    }

    public DeliveryState withNoticesSent(Set<Duration> thresholds) {
        Set<Duration> all = new TreeSet<>(noticesSent);
        all.addAll(thresholds);
        return new DeliveryState(arrived, attempts, all, lastError);
    }

    public void writeTo(Mail mail, Optional<Instant> nextAttempt) {
        mail.setAttribute(new Attribute(ARRIVED, AttributeValue.of(arrived.toEpochMilli())));
        mail.setAttribute(new Attribute(ATTEMPTS, AttributeValue.of((long) attempts)));
        mail.setAttribute(new Attribute(NOTICES_SENT, AttributeValue.of(noticesSent.stream()
            .sorted().map(duration -> String.valueOf(duration.toMillis())).collect(Collectors.joining(",")))));
        lastError.ifPresent(error -> mail.setAttribute(new Attribute(LAST_ERROR, AttributeValue.of(error))));
        nextAttempt.ifPresent(next -> mail.setAttribute(new Attribute(NEXT_ATTEMPT, AttributeValue.of(next.toEpochMilli()))));
    }

    public Instant arrived() {
        return arrived;
    }

    public int attempts() {
        return attempts;
    }

    public Set<Duration> noticesSent() {
        return noticesSent;
    }

    public Optional<String> lastError() {
        return lastError;
    }

    private static Set<Duration> parseNotices(String text) {
        if (text.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(text.split(","))
            .map(String::trim)
            .map(millis -> Duration.ofMillis(Long.parseLong(millis)))
            .collect(Collectors.toSet());
    }

    private static Optional<Long> longAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).flatMap(attribute -> {
            Object value = attribute.getValue().value();
            return value instanceof Number ? Optional.of(((Number) value).longValue()) : Optional.empty();
        });
    }

    private static Optional<String> stringAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).flatMap(attribute -> {
            Object value = attribute.getValue().value();
            return value instanceof String ? Optional.of((String) value) : Optional.empty();
        });
    }
}
