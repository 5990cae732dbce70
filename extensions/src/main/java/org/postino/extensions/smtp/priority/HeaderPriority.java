package org.postino.extensions.smtp.priority;

import java.util.Locale;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * What the sender's mail program asked for in the message header. Read:
 * <ul>
 *   <li>{@code X-Priority}: {@code 1} or {@code 2} high, {@code 4} or {@code 5} low, {@code 3} neither (the digit
 *       may be followed by text, e.g. {@code 1 (Highest)});</li>
 *   <li>{@code Importance}: {@code high} or {@code low} (RFC 2156);</li>
 *   <li>{@code Priority}: {@code urgent} or {@code non-urgent} (RFC 2156).</li>
 * </ul>
 * Case and {@code (comments)} are ignored; unknown values count as nothing. When the headers disagree, low wins:
 * a sender cannot get a raise by adding a contradictory header.
 */
public enum HeaderPriority {
    HIGH, LOW, NONE;

    private static final Set<String> X_PRIORITY_HIGH = Set.of("1", "2");
    private static final Set<String> X_PRIORITY_LOW = Set.of("4", "5");

    public static HeaderPriority of(MimeMessage message) throws MessagingException {
        boolean high = false;
        for (String value : values(message, "X-Priority")) {
            String digit = keyword(value);
            if (X_PRIORITY_LOW.contains(digit)) {
                return LOW;
            }
            high |= X_PRIORITY_HIGH.contains(digit);
        }
        for (String value : values(message, "Importance")) {
            String keyword = keyword(value);
            if (keyword.equals("low")) {
                return LOW;
            }
            high |= keyword.equals("high");
        }
        for (String value : values(message, "Priority")) {
            String keyword = keyword(value);
            if (keyword.equals("non-urgent")) {
                return LOW;
            }
            high |= keyword.equals("urgent");
        }
        return high ? HIGH : NONE;
    }

    private static String[] values(MimeMessage message, String name) throws MessagingException {
        String[] values = message.getHeader(name);
        return values == null ? new String[0] : values;
    }

    /** The first word of a header value, lower case, comments removed. */
    static String keyword(String rawValue) {
        String withoutComments = rawValue.replaceAll("\\([^)]*\\)", " ").trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < withoutComments.length() && !Character.isWhitespace(withoutComments.charAt(end))
            && withoutComments.charAt(end) != ';') {
            end++;
        }
        return withoutComments.substring(0, end);
    }
}
