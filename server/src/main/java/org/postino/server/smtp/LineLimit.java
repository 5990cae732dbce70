package org.postino.server.smtp;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The longest line the SMTP server takes, in octets, its CRLF not counted: {@code maxLineLength} of a listener in
 * {@code smtpserver.xml}. Lines of mail are often far longer than the 998 octets RFC 5322 asks for (HTML
 * newsletters, unwrapped base64); up to this limit they are kept intact. The limit bounds the memory one connection
 * may use to hold one line.
 */
public final class LineLimit {

    public static final String KEY = "maxLineLength";
    /** 512 KiB. */
    public static final int DEFAULT = 512 * 1024;
    /** RFC 5321 4.5.3.1.6: a server must take lines of 1,000 octets with their CRLF. */
    public static final int MINIMUM = 998;
    public static final int MAXIMUM = 64 * 1024 * 1024;

    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*([kKmM]?)");

    private LineLimit() {
    }

    /**
     * A number of octets, or of kibibytes / mebibytes with {@code K} / {@code M}, from 998 to 64M; empty means the
     * default.
     *
     * @throws IllegalArgumentException saying what is expected
     */
    public static int parse(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        Matcher matcher = SIZE.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(expected());
        }
        long octets = Long.parseLong(matcher.group(1));
        switch (matcher.group(2).toUpperCase(Locale.ROOT)) {
            case "K":
                octets *= 1024;
                break;
            case "M":
                octets *= 1024 * 1024;
                break;
            default:
                break;
        }
        if (octets < MINIMUM || octets > MAXIMUM) {
            throw new IllegalArgumentException(expected());
        }
        return (int) octets;
    }

    private static String expected() {
        return "expected a line length in octets from " + MINIMUM + " to 64M, such as 512K (K = 1024 octets, M = 1024K)";
    }
}
