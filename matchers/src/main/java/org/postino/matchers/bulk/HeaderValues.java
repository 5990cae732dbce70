package org.postino.matchers.bulk;

import java.util.Locale;

import javax.mail.internet.MimeUtility;

/**
 * Normalises structured header values (RFC 5322 section 3.2.2) before they are compared with a keyword.
 */
final class HeaderValues {

    private HeaderValues() {
    }

    /**
     * The keyword a header value carries: unfolded, comments removed, anything after the first
     * {@code ;} (RFC 3834 parameters) dropped, trimmed and lower-cased. {@code "Bulk (newsletter)"}
     * gives {@code "bulk"}; {@code "auto-generated; owner-email=a@b"} gives {@code "auto-generated"}.
     */
    static String keyword(String rawValue) {
        String withoutComments = withoutComments(MimeUtility.unfold(rawValue));
        int parameters = withoutComments.indexOf(';');
        String keyword = parameters < 0 ? withoutComments : withoutComments.substring(0, parameters);
        return keyword.trim().toLowerCase(Locale.ROOT);
    }

    static boolean isBlank(String rawValue) {
        return MimeUtility.unfold(rawValue).isBlank();
    }

    /**
     * Removes comments, which may nest and may contain quoted pairs such as {@code \)}. An unclosed
     * comment runs to the end of the value, as a lenient reader of a malformed header would take it.
     */
    static String withoutComments(String value) {
        StringBuilder result = new StringBuilder(value.length());
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (depth > 0 && c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                result.append(c);
            }
        }
        return result.toString();
    }
}
