package org.postino.matchers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.postino.mailets.delivery.engine.DeliveryState;

/**
 * Matches every recipient of a mail whose remote delivery has been attempted at least the given number of times, and
 * none otherwise.
 *
 * <h2>What counts</h2>
 * The attempts Postino's delivery engine ({@code DeliverRemotely}) records on the mail ({@code
 * org.postino.delivery.attempts}); for mail that went through James's own {@code RemoteDelivery} instead, its retry
 * count ({@code delivery_retry_count}). A mail with neither has had no attempt (0).
 *
 * <h2>Condition</h2>
 * Required: a whole number from 1 to 1000, e.g. {@code AttemptsAtLeast=5}. Anything else stops the server at start-up
 * with a message naming the matcher, the condition and what was expected.
 *
 * <h2>Example</h2>
 * {@code DeliverRemotely}'s {@code failureProcessor} receives a copy of every mail it gives up on, with its state.
 * Keep those that were tried many times (a destination down for days) apart from the immediate refusals:
 * <pre>{@code
 * <processor state="delivery-failed" enableJmx="false">
 *     <mailet match="org.postino.matchers.AttemptsAtLeast=10" class="ToRepository">
 *         <repositoryPath>file://var/mail/undeliverable-long/</repositoryPath>
 *     </mailet>
 *     <mailet match="All" class="ToRepository">
 *         <repositoryPath>file://var/mail/undeliverable/</repositoryPath>
 *     </mailet>
 * </processor>
 * }</pre>
 * It serves the same way in the {@code bounceProcessor} of James's {@code RemoteDelivery}. Needs
 * {@code postino-mailets-*.jar} in {@code extensions-jars/} beside {@code postino-matchers-*.jar}.
 */
public class AttemptsAtLeast extends GenericMatcher {

    static final AttributeName JAMES_RETRY_COUNT = AttributeName.of("delivery_retry_count");
    static final int MAX = 1000;

    private int threshold;

    @Override
    public void init() throws MessagingException {
        String name = Optional.ofNullable(getMatcherName()).orElse(AttemptsAtLeast.class.getSimpleName());
        String condition = Optional.ofNullable(getCondition()).orElse("").trim();
        try {
            threshold = Integer.parseInt(condition);
        } catch (NumberFormatException e) {
            threshold = -1;
        }
        if (threshold < 1 || threshold > MAX) {
            throw new MessagingException(name + "=" + condition + ": expected a whole number of attempts from 1 to " + MAX);
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return attempts(mail) >= threshold ? mail.getRecipients() : List.of();
    }

    static long attempts(Mail mail) {
        return MailNumbers.longAttribute(mail, DeliveryState.ATTEMPTS)
            .or(() -> MailNumbers.longAttribute(mail, JAMES_RETRY_COUNT))
            .orElse(0L);
    }

    @Override
    public String getMatcherInfo() {
        return "AttemptsAtLeast: matches mail whose remote delivery was attempted at least " + threshold + " times";
    }
}
