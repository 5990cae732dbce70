package org.postino.mailets.priority;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;

/**
 * A James mail priority: an integer from {@value #MIN} (lowest) to {@value #MAX} (highest), carried by the
 * {@link MailPrioritySupport#MAIL_PRIORITY} attribute. Queues that honour it (James's JMS/ActiveMQ queue, with
 * priority ordering on in the broker) dequeue higher values first; a mail without it is treated as
 * {@link MailPrioritySupport#NORMAL_PRIORITY}.
 */
public final class MailPriority {

    public static final int MIN = MailPrioritySupport.LOW_PRIORITY;
    public static final int MAX = MailPrioritySupport.HIGH_PRIORITY;

    /** The words an operator may write instead of a number. */
    static final Map<String, Integer> NAMED = Map.of(
        "low", MailPrioritySupport.LOW_PRIORITY,
        "normal", MailPrioritySupport.NORMAL_PRIORITY,
        "high", MailPrioritySupport.HIGH_PRIORITY);

    public static final String EXPECTED = "low, normal, high or an integer " + MIN + ".." + MAX;

    private final int value;

    private MailPriority(int value) {
        this.value = value;
    }

    public static MailPriority of(int value) {
        if (value < MIN || value > MAX) {
            throw new IllegalArgumentException("mail priority must be in " + MIN + ".." + MAX + ", got " + value);
        }
        return new MailPriority(value);
    }

    /**
     * Reads {@code low}, {@code normal}, {@code high} (any case) or a decimal integer from {@value #MIN} to
     * {@value #MAX}; surrounding whitespace is ignored. Anything else is empty.
     */
    public static Optional<MailPriority> parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (NAMED.containsKey(trimmed)) {
            return Optional.of(new MailPriority(NAMED.get(trimmed)));
        }
        // Digits only, and few of them: no sign, no overflow.
        if (trimmed.matches("[0-9]{1,3}")) {
            int value = Integer.parseInt(trimmed);
            if (value >= MIN && value <= MAX) {
                return Optional.of(new MailPriority(value));
            }
        }
        return Optional.empty();
    }

    public int value() {
        return value;
    }

    public Attribute asAttribute() {
        return new Attribute(MailPrioritySupport.MAIL_PRIORITY, AttributeValue.of(value));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MailPriority && ((MailPriority) o).value == value;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(value);
    }

    @Override
    public String toString() {
        return "MailPriority[" + value + "]";
    }
}
