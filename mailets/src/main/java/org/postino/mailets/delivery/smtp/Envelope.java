package org.postino.mailets.delivery.smtp;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.DsnParameters;

/**
 * What one transaction carries: the reverse-path, the recipients for this destination, and the
 * RFC 3461 parameters to relay when the next hop supports DSN.
 */
public final class Envelope {

    private final MaybeSender sender;
    private final List<MailAddress> recipients;
    private final Optional<DsnParameters> dsn;
    private final long size;

    private Envelope(MaybeSender sender, List<MailAddress> recipients, Optional<DsnParameters> dsn, long size) {
        this.sender = sender;
        this.recipients = List.copyOf(recipients);
        this.dsn = dsn;
        this.size = size;
    }

    public static Envelope of(MaybeSender sender, List<MailAddress> recipients, Optional<DsnParameters> dsn, long size) {
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        return new Envelope(sender, recipients, dsn, size);
    }

    public MaybeSender sender() {
        return sender;
    }

    public List<MailAddress> recipients() {
        return recipients;
    }

    public Optional<DsnParameters> dsn() {
        return dsn;
    }

    /** Message size in octets, for the SIZE parameter; 0 or less when unknown. */
    public long size() {
        return size;
    }

    String mailFromParameters(SmtpReply ehlo) {
        StringBuilder parameters = new StringBuilder();
        if (size > 0 && ehlo.advertises("SIZE")) {
            parameters.append(" SIZE=").append(size);
        }
        if (ehlo.advertises("8BITMIME")) {
            parameters.append(" BODY=8BITMIME");
        }
        if (ehlo.advertises("DSN")) {
            dsn.flatMap(DsnParameters::getRetParameter).ifPresent(ret -> parameters.append(" RET=").append(ret.name()));
            dsn.flatMap(DsnParameters::getEnvIdParameter)
                .ifPresent(envId -> parameters.append(" ENVID=").append(envId.asString())); // kept in xtext form as received
        }
        return parameters.toString();
    }

    String rcptToParameters(MailAddress recipient, SmtpReply ehlo) {
        if (!ehlo.advertises("DSN")) {
            return "";
        }
        StringBuilder parameters = new StringBuilder();
        dsn.map(parameters0 -> parameters0.getRcptParameters().get(recipient)).ifPresent(rcpt -> {
            rcpt.getNotifyParameter().ifPresent(notify -> parameters.append(" NOTIFY=")
                .append(String.join(",", notify.stream().map(Enum::name).toArray(String[]::new))));
            rcpt.getOrcptParameter().ifPresent(orcpt -> parameters.append(" ORCPT=rfc822;")
                .append(DsnParameters.XText.encode(orcpt.asString())));
        });
        return parameters.toString();
    }
}
