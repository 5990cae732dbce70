package org.postino.mailets.delivery.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Durations as people write them: a whole number and a unit, {@code 250ms}, {@code 30s}, {@code 5m}, {@code 4h},
 * {@code 1d}, {@code 2w}; the unit is case-insensitive and may be preceded by spaces ({@code 5 m}, {@code 4H}).
 * There is no default unit: a bare {@code 300} is rejected rather than guessed. Lists are comma-separated; a retry
 * schedule may end with {@code ...} (or {@code …}) to say that its last step repeats.
 */
public final class Durations {

    /** What a single duration looks like, for error messages. */
    public static final String EXPECTED = "a whole number and a unit: ms, s, m, h, d or w (e.g. 250ms, 30s, 5m, 4h, 1d, 2w)";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*([a-z]+)", Pattern.CASE_INSENSITIVE);
    private static final Map<String, Long> MILLIS_PER_UNIT = Map.of(
        "w", 7 * 24 * 3_600_000L,
        "d", 24 * 3_600_000L,
        "h", 3_600_000L,
        "m", 60_000L,
        "s", 1_000L,
        "ms", 1L);
    /** Largest first, so that {@link #format} picks the largest unit that divides exactly. */
    private static final List<String> UNITS_LARGEST_FIRST = List.of("w", "d", "h", "m", "s");
    private static final List<String> REPEAT_MARKS = List.of("...", "…");

    private Durations() {
    }

    /** One duration such as {@code 5m}; empty when the text is not one, or is too large to count in milliseconds. */
    public static Optional<Duration> parse(String text) {
        Matcher matcher = DURATION.matcher(Objects.requireNonNull(text).strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Long unit = MILLIS_PER_UNIT.get(matcher.group(2).toLowerCase(Locale.ROOT));
        if (unit == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofMillis(Math.multiplyExact(Long.parseLong(matcher.group(1)), unit)));
        } catch (ArithmeticException tooLarge) {
            return Optional.empty();
        }
    }

    /** A non-empty comma-separated list such as {@code 4h, 1d, 3d}; empty when any element is not a duration. */
    public static Optional<List<Duration>> parseList(String text) {
        List<Duration> durations = new ArrayList<>();
        for (String element : Objects.requireNonNull(text).split(",", -1)) {
            Optional<Duration> duration = parse(element);
            if (duration.isEmpty()) {
                return Optional.empty();
            }
            durations.add(duration.get());
        }
        return Optional.of(List.copyOf(durations));
    }

    /**
     * A retry schedule such as {@code 5m, 10m, 20m, 40m, 1h...}: a list whose last step repeats. The trailing
     * {@code ...} (also {@code , ...} or {@code …}) only says so explicitly; without it the last step repeats too.
     */
    public static Optional<List<Duration>> parseSchedule(String text) {
        String schedule = Objects.requireNonNull(text).strip();
        for (String mark : REPEAT_MARKS) {
            if (schedule.endsWith(mark)) {
                schedule = schedule.substring(0, schedule.length() - mark.length()).strip();
                if (schedule.endsWith(",")) {
                    schedule = schedule.substring(0, schedule.length() - 1);
                }
                break;
            }
        }
        return parseList(schedule);
    }

    /** The way people write it, in the largest unit that divides it exactly: {@code 90m}, {@code 5d}, {@code 250ms}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        for (String unit : UNITS_LARGEST_FIRST) {
            long perUnit = MILLIS_PER_UNIT.get(unit);
            if (millis % perUnit == 0) {
                return millis / perUnit + unit;
            }
        }
        return millis + "ms";
    }

    /** A list as {@link #parseList} reads it back: {@code 4h, 1d}. */
    public static String format(List<Duration> durations) {
        return durations.stream().map(Durations::format).collect(Collectors.joining(", "));
    }
}
