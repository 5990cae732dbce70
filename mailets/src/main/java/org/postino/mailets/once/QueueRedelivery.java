package org.postino.mailets.once;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The contract between Postino's queue and the exactly-once mailets: the queue marks a mail it
 * hands out again after an unfinished attempt (a crash, a rollback) with {@link #ATTRIBUTE}, and
 * {@link #HEADER} carries the queue's id of the message, stable across redeliveries.
 */
public final class QueueRedelivery {

    public static final AttributeName ATTRIBUTE = AttributeName.of("org.postino.queue.redelivered");
    public static final String HEADER = "X-Postino-Queue-Id";

    private QueueRedelivery() {
    }

    public static Attribute marker() {
        return new Attribute(ATTRIBUTE, AttributeValue.of(true));
    }

    public static boolean isRedelivered(Mail mail) {
        return mail.getAttribute(ATTRIBUTE)
            .map(attribute -> Boolean.TRUE.equals(attribute.getValue().value()))
            .orElse(false);
    }
}
