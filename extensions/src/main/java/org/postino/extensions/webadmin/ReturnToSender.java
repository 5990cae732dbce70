package org.postino.extensions.webadmin;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.postino.mailets.delivery.dsn.DeliveryReport;
import org.postino.mailets.delivery.dsn.DsnWriter;
import org.postino.mailets.delivery.dsn.EnhancedStatus;
import org.postino.mailets.delivery.dsn.Language;
import org.postino.mailets.delivery.dsn.RecipientReport;
import org.postino.mailets.delivery.dsn.ReturnContent;

/**
 * The {@code failed} notice for a mail the operator takes out of the outgoing queue ("return to sender"),
 * written by the delivery engine's {@link DsnWriter} and sent from the null reverse-path like the engine's own.
 *
 * <p>Every recipient is reported {@code failed} with status {@code 5.4.7} (delivery time expired): the operator
 * has decided, ahead of the queue lifetime, that the mail will not be delivered. Exchange reports its
 * administrative removals with the same detail code. The sender's DSN wishes hold: no notice for a null
 * reverse-path, none for a recipient whose NOTIFY leaves out FAILURE (no NOTIFY means DELAY,FAILURE); RET and
 * ENVID are honoured, and with no RET the whole message is returned, as for every failure.
 */
public final class ReturnToSender {

    static final EnhancedStatus RETURNED = EnhancedStatus.of(5, 4, 7);
    private static final EnumSet<DsnParameters.Notify> DEFAULT_NOTIFY =
        EnumSet.of(DsnParameters.Notify.DELAY, DsnParameters.Notify.FAILURE);

    private final MailetContext context;
    private final DsnWriter writer;
    private final String reportingMta;
    private final Language language;

    public ReturnToSender(MailetContext context, DsnWriter writer, String reportingMta, Language language) {
        this.context = context;
        this.writer = writer;
        this.reportingMta = reportingMta;
        this.language = language;
    }

    /** The notice for {@code queued}; empty when nobody is to hear of it. */
    Optional<MimeMessage> noticeFor(QueuedMail queued) throws MessagingException {
        Mail mail = queued.mail();
        Optional<MailAddress> reversePath = mail.getMaybeSender().asOptional();
        List<RecipientReport> reports = new ArrayList<>();
        for (MailAddress recipient : queued.recipients()) {
            if (notifyOf(mail, recipient).contains(DsnParameters.Notify.FAILURE)) {
                reports.add(report(mail, recipient));
            }
        }
        if (reversePath.isEmpty() || reports.isEmpty()) {
            return Optional.empty();
        }
        Optional<DsnParameters> dsn = mail.dsnParameters();
        DeliveryReport report = DeliveryReport.builder()
            .reportingMta(reportingMta)
            .arrivalDate(queued.arrived())
            .envelopeId(dsn.flatMap(DsnParameters::getEnvIdParameter).map(DsnParameters.EnvId::asString)
                .map(DsnParameters.XText::decode))
            .returnContent(dsn.flatMap(DsnParameters::getRetParameter).map(ReturnContent::from)
                .orElse(ReturnContent.FULL))
            .original(mail.getMessage())
            .noticeFrom(context.getPostmaster())
            .noticeTo(reversePath.get())
            .language(language)
            .recipients(reports)
            .build();
        return Optional.of(writer.write(report, Session.getDefaultInstance(System.getProperties())));
    }

    /** Sends {@code notice} to the reverse-path of {@code queued}, from the null reverse-path. */
    void send(QueuedMail queued, MimeMessage notice) throws MessagingException {
        context.sendMail(null, List.of(queued.sender().get()), notice);
    }

    private static RecipientReport report(Mail mail, MailAddress recipient) {
        RecipientReport report = RecipientReport.failed(recipient, RETURNED);
        return rcptParameters(mail, recipient)
            .flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter)
            .map(report::withOriginalRecipient)
            .orElse(report);
    }

    private static EnumSet<DsnParameters.Notify> notifyOf(Mail mail, MailAddress recipient) {
        return rcptParameters(mail, recipient)
            .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
            .orElse(DEFAULT_NOTIFY);
    }

    private static Optional<DsnParameters.RecipientDsnParameters> rcptParameters(Mail mail, MailAddress recipient) {
        return mail.dsnParameters().map(parameters -> parameters.getRcptParameters().get(recipient));
    }
}
