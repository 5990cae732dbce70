package org.postino.mailets.delivery.smtp;

import java.util.List;

/** One SMTP reply: its basic code and its text lines (without the code). */
public final class SmtpReply {

    private final int code;
    private final List<String> lines;
    private final boolean fromServer;

    private SmtpReply(int code, List<String> lines, boolean fromServer) {
        this.code = code;
        this.lines = List.copyOf(lines);
        this.fromServer = fromServer;
    }

    public static SmtpReply of(int code, List<String> lines) {
        return new SmtpReply(code, lines, true);
    }

    /** A reply that no server gave: a local failure described as a reply (connection refused, timeout). */
    public static SmtpReply local(int code, String text) {
        return new SmtpReply(code, List.of(text), false);
    }

    /** False for {@link #local} replies: only a server's own words belong in a notice's Diagnostic-Code. */
    public boolean fromServer() {
        return fromServer;
    }

    public int code() {
        return code;
    }

    public List<String> lines() {
        return lines;
    }

    public boolean isPositive() {
        return code >= 200 && code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** The reply as it would appear in a log or in a Diagnostic-Code field: {@code 550 5.1.1 no such user}. */
    public String text() {
        return code + " " + String.join(" ", lines);
    }

    public boolean advertises(String keyword) {
        return lines.stream().anyMatch(line -> line.equalsIgnoreCase(keyword)
            || line.toUpperCase(java.util.Locale.ROOT).startsWith(keyword.toUpperCase(java.util.Locale.ROOT) + " "));
    }

    @Override
    public String toString() {
        return text();
    }
}
