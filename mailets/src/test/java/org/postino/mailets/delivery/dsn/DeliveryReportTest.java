package org.postino.mailets.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.DsnParameters;
import org.junit.jupiter.api.Test;

class DeliveryReportTest {

    private static final MailAddress ALICE = GoldenCase.address("alice@example.org");
    private static final MailAddress BOB = GoldenCase.address("bob@example.com");
    private static final Instant UNTIL = Instant.parse("2026-03-07T09:14:55Z");
    private static final RecipientReport FAILED = RecipientReport.failed(BOB, EnhancedStatus.parse("5.1.1"));
    private static final RecipientReport DELAYED = RecipientReport.delayed(BOB, EnhancedStatus.CONNECTION, UNTIL);
    private static final RecipientReport RELAYED = RecipientReport.of(BOB, Action.RELAYED, EnhancedStatus.SUCCESS);

    private static DeliveryReport.Builder complete() {
        return DeliveryReport.builder()
            .reportingMta("mx.postino.example")
            .arrivalDate(Instant.parse("2026-03-02T09:14:55Z"))
            .original(new MimeMessage(Session.getInstance(new Properties())))
            .noticeFrom(GoldenCase.address("MAILER-DAEMON@postino.example"))
            .noticeTo(ALICE);
    }

    @Test
    void noticeToShouldRefuseTheNullReversePath() {
        assertThatThrownBy(() -> DeliveryReport.builder().noticeTo(MaybeSender.nullSender()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("null reverse-path");
    }

    @Test
    @SuppressWarnings("deprecation")
    void noticeToShouldRefuseTheNullSenderAddress() {
        assertThatThrownBy(() -> DeliveryReport.builder().noticeTo(MailAddress.nullSender()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("null reverse-path");
    }

    @Test
    void noticeToShouldRefuseNull() {
        assertThatThrownBy(() -> DeliveryReport.builder().noticeTo((MailAddress) null))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliveryReport.builder().noticeTo((MaybeSender) null))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noticeToShouldTakeTheSendersAddress() {
        DeliveryReport testee = complete().noticeTo(MaybeSender.of(ALICE)).recipient(FAILED).build();

        assertThat(testee.noticeTo()).isEqualTo(ALICE);
    }

    @Test
    void buildShouldNameEveryMissingField() {
        assertThatThrownBy(() -> DeliveryReport.builder().build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("reportingMta, arrivalDate, original, noticeFrom, noticeTo, recipient");
    }

    @Test
    void reportingMtaShouldThrowOnWhatIsNotAHostName() {
        assertThatThrownBy(() -> DeliveryReport.builder().reportingMta("mx postino"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'mx postino'");
    }

    @Test
    void absentRetShouldReturnTheFullMessageWhenARecipientFailed() {
        DeliveryReport testee = complete().recipient(RELAYED).recipient(FAILED).build();

        assertThat(testee.returnContent()).isEqualTo(ReturnContent.FULL);
    }

    @Test
    void absentRetShouldReturnTheHeadersOnlyWhenNoRecipientFailed() {
        assertThat(complete().recipient(DELAYED).build().returnContent()).isEqualTo(ReturnContent.HEADERS);
        assertThat(complete().recipient(RELAYED).build().returnContent()).isEqualTo(ReturnContent.HEADERS);
    }

    @Test
    void retShouldWinOverTheDefault() {
        assertThat(complete().recipient(FAILED).returnContent(ReturnContent.HEADERS).build().returnContent())
            .isEqualTo(ReturnContent.HEADERS);
        assertThat(complete().recipient(DELAYED).returnContent(ReturnContent.FULL).build().returnContent())
            .isEqualTo(ReturnContent.FULL);
    }

    @Test
    void returnContentShouldFollowJamesRetParameter() {
        assertThat(ReturnContent.from(DsnParameters.Ret.FULL)).isEqualTo(ReturnContent.FULL);
        assertThat(ReturnContent.from(DsnParameters.Ret.HDRS)).isEqualTo(ReturnContent.HEADERS);
    }

    @Test
    void headlineShouldBeTheGravestAction() {
        assertThat(complete().recipient(RELAYED).recipient(DELAYED).recipient(FAILED).build().headline())
            .isEqualTo(Action.FAILED);
        assertThat(complete().recipient(RELAYED).recipient(DELAYED).build().headline()).isEqualTo(Action.DELAYED);
        assertThat(complete().recipient(RELAYED).build().headline()).isEqualTo(Action.RELAYED);
    }

    @Test
    void languageShouldDefaultToEnglish() {
        assertThat(complete().recipient(FAILED).build().language()).isEqualTo(Language.ENGLISH);
    }

    @Test
    void languageShouldParseTagsAndNames() {
        assertThat(Language.parse("it")).contains(Language.ITALIAN);
        assertThat(Language.parse(" English ")).contains(Language.ENGLISH);
        assertThat(Language.parse("fr")).isEmpty();
    }

    @Test
    void recipientsShouldBeImmutable() {
        DeliveryReport testee = complete().recipient(FAILED).build();

        assertThatThrownBy(() -> testee.recipients().add(DELAYED)).isInstanceOf(UnsupportedOperationException.class);
    }
}
