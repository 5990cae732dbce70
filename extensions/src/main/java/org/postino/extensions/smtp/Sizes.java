package org.postino.extensions.smtp;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as operators write them: {@code 512M}, {@code 2G}, {@code 100K}, {@code 1048576}; units are powers of 1024. */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,18})\\s*([kmgt]?)b?");

    private Sizes() {
    }

    /**
     * The size in bytes, or empty when the text is not a size, uses a unit above {@code largestUnit}
     * ({@code 'k'}, {@code 'm'}, {@code 'g'} or {@code 't'}), or does not fit a long.
     */
    public static OptionalLong bytes(String text, char largestUnit) {
        Matcher matcher = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches() || shift(matcher.group(2)) > shift(String.valueOf(largestUnit))) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Math.multiplyExact(Long.parseLong(matcher.group(1)), 1L << shift(matcher.group(2))));
        } catch (ArithmeticException tooLarge) {
            return OptionalLong.empty();
        }
    }

    private static int shift(String unit) {
        switch (unit) {
            case "k":
                return 10;
            case "m":
                return 20;
            case "g":
                return 30;
            case "t":
                return 40;
            default:
                return 0;
        }
    }
}
