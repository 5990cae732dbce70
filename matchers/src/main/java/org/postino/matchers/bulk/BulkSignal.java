package org.postino.matchers.bulk;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * One header that marks a message as bulk or list mail, under the name an operator writes in the
 * {@code IsBulk} condition.
 */
public enum BulkSignal {
    /** {@code Precedence: bulk}, {@code list} or {@code junk} (RFC 2076, RFC 3834 section 2). */
    PRECEDENCE("precedence", "Precedence",
        value -> Set.of("bulk", "list", "junk").contains(HeaderValues.keyword(value))),
    /** Any non-empty {@code List-Id} (RFC 2919). */
    LIST_ID("list-id", "List-Id", value -> !HeaderValues.isBlank(value)),
    /** Any non-empty {@code List-Unsubscribe} (RFC 2369, RFC 8058). */
    LIST_UNSUBSCRIBE("list-unsubscribe", "List-Unsubscribe", value -> !HeaderValues.isBlank(value)),
    /** {@code Auto-Submitted} with a keyword other than {@code no} (RFC 3834 section 5). */
    AUTO_SUBMITTED("auto-submitted", "Auto-Submitted", value -> {
        String keyword = HeaderValues.keyword(value);
        return !keyword.isEmpty() && !keyword.equals("no");
    });

    private final String conditionName;
    private final String headerName;
    private final Predicate<String> isSignalValue;

    BulkSignal(String conditionName, String headerName, Predicate<String> isSignalValue) {
        this.conditionName = conditionName;
        this.headerName = headerName;
        this.isSignalValue = isSignalValue;
    }

    /** Case-insensitive, surrounding whitespace ignored. */
    public static Optional<BulkSignal> fromConditionName(String name) {
        String wanted = name.trim();
        return Arrays.stream(values())
            .filter(signal -> signal.conditionName.equalsIgnoreCase(wanted))
            .findFirst();
    }

    public String conditionName() {
        return conditionName;
    }

    public String headerName() {
        return headerName;
    }

    /** True when any occurrence of this signal's header carries a signalling value. */
    public boolean isPresentIn(MimeMessage message) throws MessagingException {
        String[] values = message.getHeader(headerName);
        return values != null && Stream.of(values).anyMatch(isSignalValue);
    }
}
