package org.postino.mailets.delivery.smtp;

import org.apache.james.core.MailAddress;

/** What the remote server said about one recipient in one transaction. */
public final class RecipientOutcome {

    public enum Kind { DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE }

    private final MailAddress recipient;
    private final Kind kind;
    private final SmtpReply reply;

    private RecipientOutcome(MailAddress recipient, Kind kind, SmtpReply reply) {
        this.recipient = recipient;
        this.kind = kind;
        this.reply = reply;
    }

    public static RecipientOutcome of(MailAddress recipient, SmtpReply reply) {
        Kind kind = reply.isPositive() ? Kind.DELIVERED : reply.isTransient() ? Kind.TEMPORARY_FAILURE : Kind.PERMANENT_FAILURE;
        return new RecipientOutcome(recipient, kind, reply);
    }

    public MailAddress recipient() {
        return recipient;
    }

    public Kind kind() {
        return kind;
    }

    public SmtpReply reply() {
        return reply;
    }

    @Override
    public String toString() {
        return recipient + ": " + kind + " (" + reply + ")";
    }
}
