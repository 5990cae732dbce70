package org.postino.matchers.bulk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * The parsed {@code IsBulk} condition: which {@link BulkSignal}s count. Immutable.
 */
public final class BulkCondition {

    private static final String EXPECTED = Stream.of(BulkSignal.values())
        .map(BulkSignal::conditionName)
        .collect(Collectors.joining(", "));

    private final Set<BulkSignal> signals;

    private BulkCondition(EnumSet<BulkSignal> signals) {
        this.signals = Collections.unmodifiableSet(EnumSet.copyOf(signals));
    }

    public static BulkCondition allSignals() {
        return new BulkCondition(EnumSet.allOf(BulkSignal.class));
    }

    /**
     * Parses a comma-separated list of signal names; an absent or blank condition means every signal.
     *
     * @param matcherName named in the error, so the operator finds the line in mailetcontainer.xml
     * @throws MessagingException naming the matcher, the condition and every unknown value
     */
    public static BulkCondition parse(String matcherName, Optional<String> condition) throws MessagingException {
        if (condition.map(String::isBlank).orElse(true)) {
            return allSignals();
        }
        EnumSet<BulkSignal> signals = EnumSet.noneOf(BulkSignal.class);
        List<String> unknown = new ArrayList<>();
        for (String name : condition.get().split(",", -1)) {
            BulkSignal.fromConditionName(name).ifPresentOrElse(signals::add, () -> unknown.add(name.trim()));
        }
        if (!unknown.isEmpty()) {
            throw new MessagingException(String.format("%s: unknown signal %s in condition '%s'; expected a comma list of %s",
                matcherName,
                unknown.stream().map(value -> "'" + value + "'").collect(Collectors.joining(", ")),
                condition.get(),
                EXPECTED));
        }
        return new BulkCondition(signals);
    }

    public Set<BulkSignal> signals() {
        return signals;
    }

    public boolean isBulk(MimeMessage message) throws MessagingException {
        for (BulkSignal signal : signals) {
            if (signal.isPresentIn(message)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return signals.stream().map(BulkSignal::conditionName).collect(Collectors.joining(",", "BulkCondition[", "]"));
    }
}
