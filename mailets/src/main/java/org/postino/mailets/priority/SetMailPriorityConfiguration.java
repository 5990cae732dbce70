package org.postino.mailets.priority;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;

/**
 * The parsed, immutable parameters of the {@code SetMailPriority} mailet. See that class for the operator's view.
 */
public final class SetMailPriorityConfiguration {

    public static final String PRIORITY = "priority";
    public static final String ONLY_IF_ABSENT = "onlyIfAbsent";
    public static final String TRACE_HEADER = "traceHeader";

    public static final boolean DEFAULT_ONLY_IF_ABSENT = false;

    private static final List<String> PARAMETERS = List.of(PRIORITY, ONLY_IF_ABSENT, TRACE_HEADER);
    /** Read by James's mailet container itself, valid on every mailet. */
    private static final Set<String> CONTAINER_PARAMETERS = Set.of("onMailetException", "onMatchException");

    private final MailPriority priority;
    private final boolean onlyIfAbsent;
    private final Optional<String> traceHeader;

    private SetMailPriorityConfiguration(MailPriority priority, boolean onlyIfAbsent, Optional<String> traceHeader) {
        this.priority = Objects.requireNonNull(priority);
        this.onlyIfAbsent = onlyIfAbsent;
        this.traceHeader = Objects.requireNonNull(traceHeader);
    }

    public static SetMailPriorityConfiguration of(MailPriority priority, boolean onlyIfAbsent, Optional<String> traceHeader) {
        return new SetMailPriorityConfiguration(priority, onlyIfAbsent, traceHeader);
    }

    /**
     * Parses every parameter, and reports every problem at once.
     *
     * @throws MessagingException one line naming the mailet, then each bad parameter with its value
     */
    public static SetMailPriorityConfiguration from(MailetConfig config) throws MessagingException {
        List<String> problems = new ArrayList<>();
        unknownParameters(config).forEach(name -> problems.add(
            "unknown parameter '" + name + "' (allowed: " + String.join(", ", PARAMETERS) + ")"));

        Optional<MailPriority> priority = parsePriority(config.getInitParameter(PRIORITY), problems);
        boolean onlyIfAbsent = parseOnlyIfAbsent(config.getInitParameter(ONLY_IF_ABSENT), problems);
        Optional<String> traceHeader = parseTraceHeader(config.getInitParameter(TRACE_HEADER), problems);

        if (!problems.isEmpty()) {
            throw new MessagingException(mailetName(config) + ": " + String.join("; ", problems));
        }
        return new SetMailPriorityConfiguration(priority.orElseThrow(), onlyIfAbsent, traceHeader);
    }

    private static List<String> unknownParameters(MailetConfig config) {
        List<String> unknown = new ArrayList<>();
        Iterator<String> names = config.getInitParameterNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!PARAMETERS.contains(name) && !CONTAINER_PARAMETERS.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    private static Optional<MailPriority> parsePriority(String value, List<String> problems) {
        if (value == null) {
            problems.add("missing required parameter '" + PRIORITY + "' (expected " + MailPriority.EXPECTED + ")");
            return Optional.empty();
        }
        Optional<MailPriority> priority = MailPriority.parse(value);
        if (priority.isEmpty()) {
            problems.add(badValue(PRIORITY, value, MailPriority.EXPECTED));
        }
        return priority;
    }

    private static boolean parseOnlyIfAbsent(String value, List<String> problems) {
        if (value == null) {
            return DEFAULT_ONLY_IF_ABSENT;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problems.add(badValue(ONLY_IF_ABSENT, value, "true or false"));
                return DEFAULT_ONLY_IF_ABSENT;
        }
    }

    private static Optional<String> parseTraceHeader(String value, List<String> problems) {
        if (value == null) {
            return Optional.empty();
        }
        String name = value.trim();
        if (!isHeaderFieldName(name)) {
            problems.add(badValue(TRACE_HEADER, value, "a header field name: printable ASCII, no space, no ':'"));
            return Optional.empty();
        }
        return Optional.of(name);
    }

    /** RFC 5322 section 3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126. */
    private static boolean isHeaderFieldName(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':');
    }

    private static String badValue(String parameter, String value, String expected) {
        return "parameter '" + parameter + "' has bad value '" + value + "' (expected " + expected + ")";
    }

    private static String mailetName(MailetConfig config) {
        return Optional.ofNullable(config.getMailetName()).orElse("SetMailPriority");
    }

    public MailPriority priority() {
        return priority;
    }

    public boolean onlyIfAbsent() {
        return onlyIfAbsent;
    }

    public Optional<String> traceHeader() {
        return traceHeader;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SetMailPriorityConfiguration)) {
            return false;
        }
        SetMailPriorityConfiguration that = (SetMailPriorityConfiguration) o;
        return priority.equals(that.priority) && onlyIfAbsent == that.onlyIfAbsent && traceHeader.equals(that.traceHeader);
    }

    @Override
    public int hashCode() {
        return Objects.hash(priority, onlyIfAbsent, traceHeader);
    }

    @Override
    public String toString() {
        return "SetMailPriorityConfiguration[priority=" + priority.value() + ", onlyIfAbsent=" + onlyIfAbsent
            + ", traceHeader=" + traceHeader.orElse("none") + "]";
    }
}
