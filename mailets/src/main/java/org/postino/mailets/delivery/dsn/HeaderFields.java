package org.postino.mailets.delivery.dsn;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writing header fields (of the notice and of its {@code message/delivery-status} part): RFC 5322 dates, values
 * made printable US-ASCII, and folding so that lines stay within 78 characters where a space allows it and never
 * exceed 998.
 */
final class HeaderFields {

    static final String CRLF = "\r\n";
    static final int PREFERRED_LINE = 78;
    static final int MAX_LINE = 998;

    private static final DateTimeFormatter RFC_5322 =
        DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.US);

    private HeaderFields() {
    }

    /** {@code Mon, 2 Mar 2026 09:15:08 +0000}: the date-time of RFC 5322 §3.3, in the given zone. */
    static String date(Instant instant, ZoneId zone) {
        return RFC_5322.format(instant.atZone(zone));
    }

    /**
     * The text as one line of printable US-ASCII: runs of whitespace (line breaks of a multi-line reply included)
     * become one space and any other character outside {@code !..~} becomes {@code ?}. DSN fields are US-ASCII
     * (RFC 3464 §2.1.2); remote replies are not always.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            }
            out.append(c > ' ' && c < 127 ? c : '?');
        }
        return out.toString();
    }

    /**
     * {@code name: value} ending with CRLF, folded before a space when the line would pass 78 characters. A word
     * too long for one line is left whole up to 998 characters and cut there (unfolding then adds a space: the
     * price of a valid message).
     */
    static String field(String name, String value) {
        StringBuilder out = new StringBuilder(name).append(':');
        int lineLength = out.length();
        for (String word : value.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (lineLength + 1 + word.length() > PREFERRED_LINE && lineLength > name.length() + 1) {
                out.append(CRLF);
                lineLength = 0;
            }
            out.append(' ');
            lineLength++;
            while (lineLength + word.length() > MAX_LINE) {
                int room = MAX_LINE - lineLength;
                out.append(word, 0, room).append(CRLF).append(' ');
                word = word.substring(room);
                lineLength = 1;
            }
            out.append(word);
            lineLength += word.length();
        }
        return out.append(CRLF).toString();
    }
}
