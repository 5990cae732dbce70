package org.postino.matchers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.postino.mailets.delivery.engine.DeliveryState;
import org.postino.mailets.delivery.policy.Durations;

/**
 * Matches every recipient of a mail that has been in the server longer than the given time, and none otherwise.
 *
 * <h2>Since when</h2>
 * Since Postino's delivery engine ({@code DeliverRemotely}) first queued it for remote delivery (its {@code
 * org.postino.delivery.arrived} attribute, the {@code Arrival-Date} of its notices); for other mail, since James last
 * recorded an update of it ({@code Mail.getLastUpdated()}: when it was received, for mail that no James
 * {@code RemoteDelivery} has retried). Mail with neither has just arrived.
 *
 * <h2>Condition</h2>
 * Required: a duration as the delivery policy writes them, a whole number and a unit ({@code ms}, {@code s},
 * {@code m}, {@code h}, {@code d}, {@code w}), e.g. {@code QueuedLongerThan=2d}. Anything else stops the server at
 * start-up with a message naming the matcher, the condition and what was expected.
 *
 * <h2>Example</h2>
 * In {@code DeliverRemotely}'s {@code failureProcessor}, tell the postmaster about mail that waited more than a day
 * before it failed:
 * <pre>{@code
 * <mailet match="org.postino.matchers.QueuedLongerThan=1d" class="ToRepository">
 *     <repositoryPath>file://var/mail/undeliverable-long/</repositoryPath>
 * </mailet>
 * }</pre>
 * Needs {@code postino-mailets-*.jar} in {@code extensions-jars/} beside {@code postino-matchers-*.jar}.
 */
public class QueuedLongerThan extends GenericMatcher {

    private final Clock clock;
    private Duration threshold;

    @Inject
    public QueuedLongerThan(Clock clock) {
        this.clock = clock;
    }

    public QueuedLongerThan() {
        this(Clock.systemUTC());
    }

    @Override
    public void init() throws MessagingException {
        String name = Optional.ofNullable(getMatcherName()).orElse(QueuedLongerThan.class.getSimpleName());
        String condition = Optional.ofNullable(getCondition()).orElse("").trim();
        threshold = Durations.parse(condition).filter(duration -> !duration.isZero())
            .orElseThrow(() -> new MessagingException(name + "=" + condition + ": expected " + Durations.EXPECTED));
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Instant now = clock.instant();
        Instant since = MailNumbers.longAttribute(mail, DeliveryState.ARRIVED).map(Instant::ofEpochMilli)
            .or(() -> Optional.ofNullable(mail.getLastUpdated()).map(Date::toInstant))
            .orElse(now);
        return Duration.between(since, now).compareTo(threshold) > 0 ? mail.getRecipients() : List.of();
    }

    @Override
    public String getMatcherInfo() {
        return "QueuedLongerThan: matches mail in the server for longer than " + Durations.format(threshold);
    }
}
