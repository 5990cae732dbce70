package org.postino.mailets.delivery.engine;

import java.time.Clock;
import java.time.Instant;
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
import org.postino.mailets.delivery.dsn.Action;
import org.postino.mailets.delivery.dsn.DeliveryReport;
import org.postino.mailets.delivery.dsn.DsnWriter;
import org.postino.mailets.delivery.dsn.EnhancedStatus;
import org.postino.mailets.delivery.dsn.Language;
import org.postino.mailets.delivery.dsn.RecipientReport;
import org.postino.mailets.delivery.dsn.ReturnContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who hears about what (RFC 3461 NOTIFY; none asked means DELAY and FAILURE) and sends
 * the notices, from the null reverse-path so that a notice can never cause another one. A message
 * that came from the null reverse-path (a notice itself) never gets a notice.
 */
final class Notices {

    private static final Logger LOGGER = LoggerFactory.getLogger(Notices.class);
    private static final EnumSet<DsnParameters.Notify> DEFAULT_NOTIFY = EnumSet.of(DsnParameters.Notify.DELAY, DsnParameters.Notify.FAILURE);

    private final MailetContext context;
    private final DsnWriter writer;
    private final Clock clock;
    private final String reportingMta;
    private final Language language;

    Notices(MailetContext context, DsnWriter writer, Clock clock, String reportingMta, Language language) {
        this.context = context;
        this.writer = writer;
        this.clock = clock;
        this.reportingMta = reportingMta;
        this.language = language;
    }

    void failed(Mail mail, Instant arrived, List<RecipientResult> results) {
        send(mail, arrived, Action.FAILED, DsnParameters.Notify.FAILURE, results, Optional.empty());
    }

    void delayed(Mail mail, Instant arrived, List<RecipientResult> results, Instant willRetryUntil) {
        send(mail, arrived, Action.DELAYED, DsnParameters.Notify.DELAY, results, Optional.of(willRetryUntil));
    }

    /** NOTIFY=SUCCESS: the next hop took it. Reported as relayed: we cannot see the final mailbox. */
    void relayed(Mail mail, Instant arrived, List<RecipientResult> results) {
        send(mail, arrived, Action.RELAYED, DsnParameters.Notify.SUCCESS, results, Optional.empty());
    }

    private void send(Mail mail, Instant arrived, Action action, DsnParameters.Notify trigger,
                      List<RecipientResult> results, Optional<Instant> willRetryUntil) {
        Optional<MailAddress> reversePath = mail.getMaybeSender().asOptional();
        if (reversePath.isEmpty()) {
            return;
        }
        List<RecipientReport> reports = new ArrayList<>();
        for (RecipientResult result : results) {
            if (notifyOf(mail, result.recipient()).contains(trigger)) {
                reports.add(report(mail, action, result, willRetryUntil));
            }
        }
        if (reports.isEmpty()) {
            return;
        }
        try {
            DeliveryReport report = DeliveryReport.builder()
                .reportingMta(reportingMta)
                .arrivalDate(arrived)
                .envelopeId(mail.dsnParameters().flatMap(DsnParameters::getEnvIdParameter).map(DsnParameters.EnvId::asString)
                    .map(DsnParameters.XText::decode))
                .returnContent(mail.dsnParameters().flatMap(DsnParameters::getRetParameter).map(ReturnContent::from)
                    .orElse(action == Action.FAILED ? ReturnContent.FULL : ReturnContent.HEADERS))
                .original(mail.getMessage())
                .noticeFrom(context.getPostmaster())
                .noticeTo(reversePath.get())
                .language(language)
                .recipients(reports)
                .build();
            MimeMessage notice = writer.write(report, Session.getDefaultInstance(System.getProperties()));
            context.sendMail(null, List.of(reversePath.get()), notice);
            LOGGER.info("Sent a '{}' notice for {} to {} about {}", action.fieldValue(), mail.getName(), reversePath.get(),
                reports.size() + " recipient(s)");
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Could not send a '{}' notice for {} to {}", action.fieldValue(), mail.getName(), reversePath.get(), e);
        }
    }

    private RecipientReport report(Mail mail, Action action, RecipientResult result, Optional<Instant> willRetryUntil) {
        EnhancedStatus status = result.status();
        if (action == Action.DELAYED && !status.isTransient()) {
            status = EnhancedStatus.EXPIRED_DELAYED;
        }
        if (action == Action.RELAYED && !status.isSuccess()) {
            status = EnhancedStatus.SUCCESS;
        }
        RecipientReport report = RecipientReport.of(result.recipient(), action, status).withLastAttempt(clock.instant());
        if (willRetryUntil.isPresent()) {
            report = report.withWillRetryUntil(willRetryUntil.get());
        }
        report = result.remoteMta().map(report::withRemoteMta).orElse(report);
        report = result.diagnostic().filter(text -> !text.isBlank()).map(report::withDiagnostic).orElse(report);
        Optional<MailAddress> orcpt = mail.dsnParameters()
            .map(parameters -> parameters.getRcptParameters().get(result.recipient()))
            .flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter);
        return orcpt.map(report::withOriginalRecipient).orElse(report);
    }

    private static EnumSet<DsnParameters.Notify> notifyOf(Mail mail, MailAddress recipient) {
        return mail.dsnParameters()
            .map(parameters -> parameters.getRcptParameters().get(recipient))
            .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
            .orElse(DEFAULT_NOTIFY);
    }
}
