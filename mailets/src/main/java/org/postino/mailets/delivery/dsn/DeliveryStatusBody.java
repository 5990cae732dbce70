package org.postino.mailets.delivery.dsn;

import org.postino.mailets.delivery.smtp.SmtpAddresses;

import java.time.ZoneId;

/**
 * The content of the {@code message/delivery-status} part (RFC 3464 §2.1): the per-message fields, then one
 * block per recipient, each block preceded by an empty line; fields in the order of the RFC's grammar, every
 * value printable US-ASCII and folded.
 */
final class DeliveryStatusBody {

    private static final String CRLF = HeaderFields.CRLF;

    private DeliveryStatusBody() {
    }

    static String of(DeliveryReport report, ZoneId zone) {
        StringBuilder out = new StringBuilder();
        report.envelopeId().ifPresent(id -> out.append(field("Original-Envelope-Id", id)));
        out.append(field("Reporting-MTA", "dns; " + report.reportingMta()));
        out.append(field("Arrival-Date", HeaderFields.date(report.arrivalDate(), zone)));
        report.recipients().forEach(recipient -> out.append(CRLF).append(recipient(recipient, zone)));
        return out.toString();
    }

    private static String recipient(RecipientReport recipient, ZoneId zone) {
        StringBuilder out = new StringBuilder();
        recipient.originalRecipient().ifPresent(typed -> out.append(field("Original-Recipient",
            typed.substring(0, typed.indexOf(';')) + "; " + typed.substring(typed.indexOf(';') + 1))));
        out.append(field("Final-Recipient", "rfc822; " + SmtpAddresses.mailbox(recipient.finalRecipient())));
        out.append(field("Action", recipient.action().fieldValue()));
        out.append(field("Status", recipient.status().asString()));
        recipient.remoteMta().ifPresent(host -> out.append(field("Remote-MTA", "dns; " + host)));
        recipient.diagnostic().ifPresent(reply -> out.append(field("Diagnostic-Code", "smtp; " + reply)));
        recipient.lastAttempt().ifPresent(time ->
            out.append(field("Last-Attempt-Date", HeaderFields.date(time, zone))));
        recipient.willRetryUntil().ifPresent(time ->
            out.append(field("Will-Retry-Until", HeaderFields.date(time, zone))));
        return out.toString();
    }

    private static String field(String name, String value) {
        return HeaderFields.field(name, HeaderFields.printable(value));
    }
}
