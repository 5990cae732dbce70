package org.postino.mailets.delivery.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The parameters of a {@link DeliveryPolicy}, each declared once: its key, what it accepts, and how its value is
 * written into a {@link DeliveryPolicy.Builder}. A value that cannot be read, or that the builder rejects as out of
 * range, throws an {@link IllegalArgumentException}, which the parser reports with {@link #expected()}.
 */
enum PolicyParameter {
    RETRY_SCHEDULE("retrySchedule", "a comma-separated list of durations greater than zero, the last of which repeats,"
        + " e.g. 5m, 10m, 20m, 40m, 1h...") {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.retrySchedule(readable(Durations.parseSchedule(value)));
        }
    },
    RETRY_JITTER("retryJitter", "a fraction from 0 to " + DeliveryPolicy.MAX_RETRY_JITTER + ", e.g. 0.1 for ±10%") {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            if (!FRACTION.matcher(value.strip()).matches()) {
                throw new IllegalArgumentException();
            }
            policy.retryJitter(Double.parseDouble(value.strip()));
        }
    },
    LIFETIME("lifetime", "a duration greater than zero, e.g. 5d") {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.lifetime(readable(Durations.parse(value)));
        }
    },
    MAX_ATTEMPTS("maxAttempts", "a whole number of at least 1, or none") {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            if (isNone(value)) {
                policy.noMaxAttempts();
            } else if (WHOLE_NUMBER.matcher(value.strip()).matches()) {
                policy.maxAttempts(Integer.parseInt(value.strip()));
            } else {
                throw new IllegalArgumentException();
            }
        }
    },
    DELAY_NOTICES("delayNotices", "none, or a comma-separated list of distinct durations greater than zero,"
        + " e.g. 4h, 1d, 3d") {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.delayNotices(isNone(value) ? List.of() : readable(Durations.parseList(value)));
        }
    },
    CONNECT_TIMEOUT("connectTimeout", timeoutExpected("30s")) {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.connectTimeout(readable(Durations.parse(value)));
        }
    },
    COMMAND_TIMEOUT("commandTimeout", timeoutExpected("5m")) {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.commandTimeout(readable(Durations.parse(value)));
        }
    },
    DATA_TIMEOUT("dataTimeout", timeoutExpected("10m")) {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.dataTimeout(readable(Durations.parse(value)));
        }
    },
    TLS("tls", TlsMode.EXPECTED) {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            policy.tls(readable(TlsMode.parse(value)));
        }
    },
    MAX_RECIPIENTS_PER_TRANSACTION("maxRecipientsPerTransaction",
        "a whole number from 1 to " + DeliveryPolicy.MAX_RECIPIENTS_PER_TRANSACTION_LIMIT) {
        @Override
        void apply(String value, DeliveryPolicy.Builder policy) {
            if (!WHOLE_NUMBER.matcher(value.strip()).matches()) {
                throw new IllegalArgumentException();
            }
            policy.maxRecipientsPerTransaction(Integer.parseInt(value.strip()));
        }
    };

    private static final Pattern FRACTION = Pattern.compile("\\d{1,9}(\\.\\d{1,9})?|\\.\\d{1,9}");
    /** Short enough for an int: larger numbers are out of every range anyway. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,9}");

    private final String key;
    private final String expected;

    PolicyParameter(String key, String expected) {
        this.key = key;
        this.expected = expected;
    }

    /** Writes the value into the builder; throws {@link IllegalArgumentException} when it is not acceptable. */
    abstract void apply(String value, DeliveryPolicy.Builder policy);

    String key() {
        return key;
    }

    String expected() {
        return expected;
    }

    static Optional<PolicyParameter> ofKey(String key) {
        return Arrays.stream(values()).filter(parameter -> parameter.key.equals(key)).findFirst();
    }

    /** The parameter {@code text} ends with, after a dot: {@code example.com.tls} ends with {@link #TLS}. */
    static Optional<PolicyParameter> suffixOf(String text) {
        return Arrays.stream(values()).filter(parameter -> text.endsWith("." + parameter.key)).findFirst();
    }

    static String keys() {
        return Arrays.stream(values()).map(PolicyParameter::key).collect(Collectors.joining(", "));
    }

    private static String timeoutExpected(String example) {
        return "a duration greater than zero and at most " + Durations.format(DeliveryPolicy.MAX_TIMEOUT)
            + ", e.g. " + example;
    }

    private static boolean isNone(String value) {
        return value.strip().toLowerCase(Locale.ROOT).equals("none");
    }

    private static <T> T readable(Optional<T> parsed) {
        return parsed.orElseThrow(IllegalArgumentException::new);
    }
}
