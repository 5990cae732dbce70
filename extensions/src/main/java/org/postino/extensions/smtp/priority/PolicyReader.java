package org.postino.extensions.smtp.priority;

import org.postino.extensions.smtp.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.postino.mailets.priority.MailPriority;
import org.postino.matchers.bulk.BulkCondition;

/** Reads {@code priority.properties} into a {@link PriorityPolicy}, collecting every problem before failing. */
final class PolicyReader {

    static final String MT_PRIORITY_TRUST = "mtPriority.trust";
    static final String HEADERS_TRUST = "headers.trust";
    static final String LEVEL_DEFAULT = "level.default";
    static final String LEVEL_AUTHENTICATED = "level.authenticated";
    static final String LEVEL_HEADERS_HIGH = "level.headersHigh";
    static final String LEVEL_HEADERS_LOW = "level.headersLow";
    static final String LEVEL_BULK = "level.bulk";
    static final String LEVEL_LARGE = "level.large";
    static final String LEVEL_NOTICE = "level.notice";
    static final String LARGE_THRESHOLD = "large.threshold";
    static final String BULK_SIGNALS = "bulk.signals";

    static final Set<String> KEYS = Set.of(MT_PRIORITY_TRUST, HEADERS_TRUST, LEVEL_DEFAULT, LEVEL_AUTHENTICATED,
        LEVEL_HEADERS_HIGH, LEVEL_HEADERS_LOW, LEVEL_BULK, LEVEL_LARGE, LEVEL_NOTICE, LARGE_THRESHOLD, BULK_SIGNALS);

    private static final String UNLIMITED = "unlimited";

    private final Properties properties;
    private final String source;
    private final List<String> problems = new ArrayList<>();

    PolicyReader(Properties properties, String source) {
        this.properties = properties;
        this.source = source;
    }

    PriorityPolicy read() throws ConfigurationException {
        new TreeSet<>(properties.stringPropertyNames()).stream()
            .filter(key -> !KEYS.contains(key))
            .forEach(key -> problems.add(key + " = '" + properties.getProperty(key) + "': unknown key; known keys are "
                + String.join(", ", new TreeSet<>(KEYS))));

        Trust mtPriorityTrust = read(MT_PRIORITY_TRUST, Trust.AUTHENTICATED, Trust::parse, Trust.EXPECTED);
        Trust headersTrust = read(HEADERS_TRUST, Trust.AUTHENTICATED, Trust::parse, Trust.EXPECTED);
        PriorityPolicy.Levels levels = new PriorityPolicy.Levels(
            level(LEVEL_DEFAULT, "normal"),
            level(LEVEL_AUTHENTICATED, "high"),
            level(LEVEL_HEADERS_HIGH, "high"),
            level(LEVEL_HEADERS_LOW, "low"),
            level(LEVEL_BULK, "low"),
            level(LEVEL_LARGE, "low"),
            level(LEVEL_NOTICE, "low"));
        OptionalLong largeThreshold = read(LARGE_THRESHOLD, OptionalLong.of(10L * 1024 * 1024), PolicyReader::size,
            "a size such as 512K, 10M or 1G (at least 1 byte), or " + UNLIMITED);
        BulkCondition bulk = bulkSignals();

        if (!problems.isEmpty()) {
            throw new ConfigurationException(source + ": " + String.join("; ", problems));
        }
        return new PriorityPolicy(mtPriorityTrust, headersTrust, levels, largeThreshold, bulk);
    }

    private MailPriority level(String key, String defaultValue) {
        return read(key, MailPriority.parse(defaultValue).orElseThrow(), MailPriority::parse, MailPriority.EXPECTED);
    }

    private <T> T read(String key, T defaultValue, Function<String, Optional<T>> parser, String expected) {
        String value = properties.getProperty(key);
        if (value == null) {
            return defaultValue;
        }
        Optional<T> parsed = parser.apply(value);
        if (parsed.isEmpty()) {
            problems.add(key + " = '" + value + "': expected " + expected);
            return defaultValue;
        }
        return parsed.get();
    }

    private BulkCondition bulkSignals() {
        String value = properties.getProperty(BULK_SIGNALS);
        if (value == null) {
            return BulkCondition.allSignals();
        }
        if (value.isBlank()) {
            problems.add(BULK_SIGNALS + " = '" + value + "': expected a comma list of signals; "
                + "to ignore bulk mail, set " + LEVEL_BULK + " = normal");
            return BulkCondition.allSignals();
        }
        try {
            return BulkCondition.parse(BULK_SIGNALS + " = '" + value + "'", Optional.of(value));
        } catch (MessagingException e) {
            problems.add(e.getMessage());
            return BulkCondition.allSignals();
        }
    }

    /** Bytes; {@code K}, {@code M}, {@code G} are powers of 1024. */
    static Optional<OptionalLong> size(String value) {
        if (value.trim().toLowerCase(Locale.ROOT).equals(UNLIMITED)) {
            return Optional.of(OptionalLong.empty());
        }
        OptionalLong bytes = Sizes.bytes(value, 'g');
        return bytes.isEmpty() || bytes.getAsLong() < 1 ? Optional.empty() : Optional.of(bytes);
    }
}
