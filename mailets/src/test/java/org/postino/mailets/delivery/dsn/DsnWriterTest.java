package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

/** What the golden cases do not show: 8-bit originals, fresh ids, absent fields, non-ASCII replies. */
class DsnWriterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T09:15:08Z"), ZoneOffset.UTC);
    private static final RecipientReport FAILED = RecipientReport.failed(GoldenCase.address("bob@example.com"),
        EnhancedStatus.parse("5.1.1"));

    private final DsnWriter testee = DsnWriter.of(CLOCK, () -> "test");

    private static MimeMessage message(String raw) throws Exception {
        byte[] bytes = raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        return new MimeMessage(GoldenCase.SESSION, new ByteArrayInputStream(bytes));
    }

    private static DeliveryReport.Builder report(MimeMessage original) {
        return DeliveryReport.builder()
            .reportingMta("mx.postino.example")
            .arrivalDate(Instant.parse("2026-03-02T09:14:55Z"))
            .original(original)
            .noticeFrom(GoldenCase.address("MAILER-DAEMON@postino.example"))
            .noticeTo(GoldenCase.address("alice@example.org"));
    }

    private static String raw(MimeMessage message) throws Exception {
        return new String(DsnWriterGoldenTest.bytes(message), StandardCharsets.UTF_8);
    }

    private static byte[] decoded(MimeMessage notice, int part) throws Exception {
        BodyPart bodyPart = DsnParseBackTest.report(notice).getBodyPart(part);
        try (InputStream in = bodyPart.getInputStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void writeShouldDeclareAnEightBitOriginalReturnedInFull() throws Exception {
        MimeMessage original = message("Subject: Caffè\nMessage-ID: <c@example.org>\n"
            + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nUn caffè, grazie.\n");

        MimeMessage notice = testee.write(report(original).recipient(FAILED).returnContent(ReturnContent.FULL)
            .build(), GoldenCase.SESSION);

        assertThat(notice.getHeader("Content-Transfer-Encoding", null)).isEqualTo("8bit");
        assertThat(DsnParseBackTest.report(notice).getBodyPart(2).getHeader("Content-Transfer-Encoding"))
            .containsExactly("8bit");
        assertThat(DsnParseBackTest.report(notice).getReturnedMessage().getContent())
            .isEqualTo(original.getContent());
    }

    @Test
    void writeShouldQuotePrintableAnEightBitHeader() throws Exception {
        MimeMessage original = message("Subject: Caffè\nMessage-ID: <c@example.org>\n\nbody\n");

        MimeMessage notice = testee.write(report(original).recipient(FAILED).returnContent(ReturnContent.HEADERS)
            .build(), GoldenCase.SESSION);

        assertThat(raw(notice)).isEqualTo(new String(DsnWriterGoldenTest.bytes(notice), StandardCharsets.US_ASCII));
        assertThat(notice.getHeader("Content-Transfer-Encoding", null)).isEqualTo("7bit");
        assertThat(DsnParseBackTest.report(notice).getBodyPart(2).getHeader("Content-Transfer-Encoding"))
            .containsExactly("quoted-printable");
        assertThat(new String(decoded(notice, 2), StandardCharsets.UTF_8))
            .isEqualTo("Subject: Caffè\r\nMessage-ID: <c@example.org>\r\n");
    }

    @Test
    void writeShouldKeepANonAsciiReplyInTheHumanPartOnly() throws Exception {
        MimeMessage original = message("Subject: x\n\nbody\n");
        RecipientReport recipient = FAILED.withDiagnostic("550 5.1.1 utente sconosciuto: può darsi");

        MimeMessage notice = testee.write(report(original).recipient(recipient).build(), GoldenCase.SESSION);

        assertThat(DsnParseBackTest.report(notice).getText()).contains("550 5.1.1 utente sconosciuto: può darsi");
        assertThat(DsnParseBackTest.report(notice).getDeliveryStatus().getRecipientDSN(0)
            .getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 550 5.1.1 utente sconosciuto: pu? darsi");
    }

    @Test
    void writeShouldGiveEachNoticeItsOwnMessageIdAndBoundary() throws Exception {
        DsnWriter randomIds = DsnWriter.of(CLOCK);
        DeliveryReport report = report(message("Subject: x\n\nbody\n")).recipient(FAILED).build();

        MimeMessage first = randomIds.write(report, GoldenCase.SESSION);
        MimeMessage second = randomIds.write(report, GoldenCase.SESSION);

        assertThat(first.getMessageID()).endsWith("@mx.postino.example>").isNotEqualTo(second.getMessageID());
        assertThat(first.getContentType()).isNotEqualTo(second.getContentType());
    }

    @Test
    void writeShouldOmitInReplyToAndTheSubjectSuffixWhenTheOriginalHasNeither() throws Exception {
        MimeMessage notice = testee.write(report(message("From: a@example.org\n\nbody\n")).recipient(FAILED).build(),
            GoldenCase.SESSION);

        assertThat(notice.getHeader("In-Reply-To")).isNull();
        assertThat(notice.getHeader("References")).isNull();
        assertThat(notice.getSubject()).isEqualTo("Undelivered mail returned to sender");
    }

    @Test
    void writeShouldLeaveTheOriginalUnchanged() throws Exception {
        MimeMessage original = message("Subject: x\nMessage-ID: <x@example.org>\n\nbody\n");
        byte[] before = DsnWriterGoldenTest.bytes(original);

        testee.write(report(original).recipient(FAILED).returnContent(ReturnContent.FULL).build(), GoldenCase.SESSION);

        assertThat(DsnWriterGoldenTest.bytes(original)).isEqualTo(before);
    }

    @Test
    void writeShouldDateTheNoticeByTheClock() throws Exception {
        MimeMessage notice = testee.write(report(message("Subject: x\n\nbody\n")).recipient(FAILED).build(),
            GoldenCase.SESSION);

        assertThat(notice.getHeader("Date", null)).isEqualTo("Mon, 2 Mar 2026 09:15:08 +0000");
        assertThat(notice.getSentDate().toInstant()).isEqualTo(CLOCK.instant());
    }

    @Test
    void writeShouldThrowOnATokenUnfitForAMessageId() {
        DsnWriter badTokens = DsnWriter.of(CLOCK, () -> "a b@c");

        assertThatThrownBy(() -> badTokens.write(report(message("Subject: x\n\nbody\n")).recipient(FAILED).build(),
            GoldenCase.SESSION))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("'a b@c'");
    }
}
