package org.postino.server.smtp;

/**
 * Sent up the channel by {@link SmtpLineFramer} in place of a line longer than the limit, whose octets it dropped.
 * Only {@link PostinoSmtpChannelHandler} knows what to do with it; any other handler fails on it (never passing a
 * shortened line on as if it were the one the client sent).
 */
final class OverlongLine {

    private final long octets;

    OverlongLine(long octets) {
        this.octets = octets;
    }

    /** The line's length as received, its line break included. */
    long octets() {
        return octets;
    }

    @Override
    public String toString() {
        return "OverlongLine[" + octets + " octets]";
    }
}
