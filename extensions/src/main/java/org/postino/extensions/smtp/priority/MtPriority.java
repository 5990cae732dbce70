package org.postino.extensions.smtp.priority;

import java.util.Optional;
import java.util.regex.Pattern;

import org.postino.mailets.priority.MailPriority;

/**
 * An RFC 6710 message transfer priority, {@code -9} (lowest) .. {@code 0} (normal, also when absent) .. {@code 9}
 * (highest), and its place on James's {@code MAIL_PRIORITY} scale (0 .. 5 normal .. 9).
 *
 * <p>The mapping keeps 0 at James's normal 5, the extremes at the extremes, never turns a raise into a lowering
 * or back, and is monotonic; the ten RFC values above and below 0 share James's four levels on each side:
 * <pre>
 * MT-PRIORITY    -9 -8 -7 -6 -5 -4 -3 -2 -1  0  1  2  3  4  5  6  7  8  9
 * MAIL_PRIORITY   0  0  1  1  2  2  3  3  4  5  6  6  7  7  8  8  9  9  9
 * </pre>
 */
public final class MtPriority {

    public static final String PARAMETER = "MT-PRIORITY";
    public static final int MIN = -9;
    public static final int MAX = 9;

    private static final int[] TO_MAIL_PRIORITY = {0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9};
    /** RFC 6710's priority-value: an optional sign and one digit. */
    private static final Pattern SYNTAX = Pattern.compile("[+-]?[0-9]");

    private final int value;

    private MtPriority(int value) {
        this.value = value;
    }

    public static MtPriority of(int value) {
        if (value < MIN || value > MAX) {
            throw new IllegalArgumentException("MT-PRIORITY must be in " + MIN + ".." + MAX + ", got " + value);
        }
        return new MtPriority(value);
    }

    /** The parameter's value as sent by the client; empty when it is not an integer from -9 to 9. */
    public static Optional<MtPriority> parse(String text) {
        if (text == null || !SYNTAX.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(new MtPriority(Integer.parseInt(text)));
    }

    public int value() {
        return value;
    }

    /** RFC 6710: a message without the parameter has priority 0, so an explicit 0 asks for nothing. */
    public boolean isNormal() {
        return value == 0;
    }

    public MailPriority toMailPriority() {
        return MailPriority.of(TO_MAIL_PRIORITY[value - MIN]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MtPriority && ((MtPriority) o).value == value;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(value);
    }

    @Override
    public String toString() {
        return PARAMETER + "=" + value;
    }
}
