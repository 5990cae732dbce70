package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MailDateFormat;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.sun.mail.dsn.DeliveryStatus;
import com.sun.mail.dsn.MultipartReport;

/**
 * Every golden case's notice parsed back with an independent RFC 6522 / RFC 3464 parser, {@code com.sun.mail:dsn}
 * (its handlers come from the jar's META-INF/mailcap), and checked field by field against the report it came
 * from.
 */
class DsnParseBackTest {

    static List<GoldenCase> cases() throws IOException {
        return GoldenCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void noticeShouldBeAMultipartReportOfTypeDeliveryStatus(GoldenCase golden) throws Exception {
        MimeMessage notice = DsnWriterGoldenTest.write(golden);

        ContentType type = new ContentType(notice.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        assertThat(notice.getContent()).isInstanceOf(MultipartReport.class);
        assertThat(report(notice).getCount()).isEqualTo(3);
        assertThat(report(notice).getBodyPart(0).getContentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(report(notice).getReport()).isInstanceOf(DeliveryStatus.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void headerShouldAddressTheReversePathFromTheNoticeSender(GoldenCase golden) throws Exception {
        DeliveryReport report = golden.report();
        MimeMessage notice = DsnWriterGoldenTest.write(golden);

        assertThat(notice.getHeader("From", null)).endsWith("<" + report.noticeFrom().asString() + ">");
        assertThat(notice.getHeader("To", null)).isEqualTo(report.noticeTo().asString());
        assertThat(notice.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(notice.getHeader("MIME-Version", null)).isEqualTo("1.0");
        assertThat(notice.getMessageID()).isEqualTo("<" + golden.name() + "@" + report.reportingMta() + ">");
        assertThat(notice.getHeader("In-Reply-To", null)).isEqualTo(report.original().getMessageID());
        assertThat(notice.getSentDate()).isNotNull();
        assertThat(notice.getSubject()).endsWith(": " + report.original().getSubject());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void perMessageFieldsShouldComeBack(GoldenCase golden) throws Exception {
        DeliveryReport report = golden.report();

        InternetHeaders fields = report(DsnWriterGoldenTest.write(golden)).getDeliveryStatus().getMessageDSN();

        assertThat(fields.getHeader("Reporting-MTA", null)).isEqualTo("dns; " + report.reportingMta());
        assertThat(date(fields, "Arrival-Date")).contains(report.arrivalDate());
        assertThat(Optional.ofNullable(fields.getHeader("Original-Envelope-Id", null)))
            .isEqualTo(report.envelopeId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachRecipientsFieldsShouldComeBack(GoldenCase golden) throws Exception {
        DeliveryReport report = golden.report();

        DeliveryStatus status = report(DsnWriterGoldenTest.write(golden)).getDeliveryStatus();

        assertThat(status.getRecipientDSNCount()).isEqualTo(report.recipients().size());
        for (int i = 0; i < report.recipients().size(); i++) {
            RecipientReport expected = report.recipients().get(i);
            InternetHeaders fields = status.getRecipientDSN(i);
            assertThat(fields.getHeader("Final-Recipient", null))
                .isEqualTo("rfc822; " + expected.finalRecipient().asString());
            assertThat(field(fields, "Original-Recipient").map(value -> value.replace("; ", ";")))
                .isEqualTo(expected.originalRecipient());
            assertThat(fields.getHeader("Action", null)).isEqualTo(expected.action().fieldValue());
            assertThat(EnhancedStatus.parse(fields.getHeader("Status", null))).isEqualTo(expected.status());
            assertThat(field(fields, "Remote-MTA")).isEqualTo(expected.remoteMta().map(host -> "dns; " + host));
            assertThat(field(fields, "Diagnostic-Code"))
                .isEqualTo(expected.diagnostic().map(reply -> "smtp; " + HeaderFields.printable(reply)));
            assertThat(date(fields, "Last-Attempt-Date")).isEqualTo(expected.lastAttempt());
            assertThat(date(fields, "Will-Retry-Until")).isEqualTo(expected.willRetryUntil());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void returnedPartShouldFollowRet(GoldenCase golden) throws Exception {
        DeliveryReport report = golden.report();

        MultipartReport parsed = report(DsnWriterGoldenTest.write(golden));

        String expectedType = report.returnContent() == ReturnContent.FULL ? "message/rfc822" : "text/rfc822-headers";
        assertThat(parsed.getBodyPart(2).getContentType()).isEqualTo(expectedType);
        MimeMessage returned = parsed.getReturnedMessage();
        assertThat(returned.getMessageID()).isEqualTo(report.original().getMessageID());
        assertThat(returned.getSubject()).isEqualTo(report.original().getSubject());
        if (report.returnContent() == ReturnContent.FULL) {
            assertThat(returned.getContent()).isEqualTo(report.original().getContent());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void humanPartShouldNameEveryRecipientAndStatus(GoldenCase golden) throws Exception {
        DeliveryReport report = golden.report();

        String text = report(DsnWriterGoldenTest.write(golden)).getText();

        for (RecipientReport recipient : report.recipients()) {
            assertThat(text).contains("<" + recipient.finalRecipient().asString() + ">",
                " " + recipient.status().asString());
        }
    }

    static MultipartReport report(MimeMessage notice) throws IOException, MessagingException {
        return (MultipartReport) notice.getContent();
    }

    private static Optional<String> field(InternetHeaders fields, String name) {
        return Optional.ofNullable(fields.getHeader(name, null)).map(MimeUtility::unfold);
    }

    private static Optional<Instant> date(InternetHeaders fields, String name) throws Exception {
        Optional<String> value = field(fields, name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MailDateFormat().parse(value.get()).toInstant());
    }
}
