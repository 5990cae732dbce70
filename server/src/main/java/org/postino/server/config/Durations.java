package org.postino.server.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 30s}, {@code 5m}, {@code 4h}, {@code 5d}, {@code 250ms}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a duration such as 30s, 5m, 4h or 5d");
        }
        long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                return Duration.ofDays(7 * amount);
        }
    }
}
