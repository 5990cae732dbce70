package org.postino.matchers;

import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/** Reads a whole-number mail attribute written by any of the engines, whatever its number type. */
final class MailNumbers {

    private MailNumbers() {
    }

    static Optional<Long> longAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name)
            .map(Attribute::getValue)
            .map(AttributeValue::getValue)
            .filter(Number.class::isInstance)
            .map(value -> ((Number) value).longValue());
    }
}
