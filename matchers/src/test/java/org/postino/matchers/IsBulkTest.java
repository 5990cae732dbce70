package org.postino.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsBulkTest {

    private static final String ANY = null;
    private static final MailAddress ALICE = mailAddress("alice@postino.test");
    private static final MailAddress BOB = mailAddress("bob@postino.test");

    private IsBulk testee;

    @BeforeEach
    void setUp() {
        testee = new IsBulk();
    }

    @Test
    void matchShouldReturnAllRecipientsOnPrecedenceBulk() throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("Precedence", "bulk"))).containsExactly(ALICE, BOB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bulk", "list", "junk", "BULK", "List", "  junk  ", "bulk (weekly newsletter)",
        "(sent by a robot) list", " (a (nested) comment) bulk", "\r\n bulk"})
    void matchShouldRecognisePrecedenceValuesIgnoringCaseWhitespaceAndComments(String value) throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("Precedence", value))).containsExactly(ALICE, BOB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"first-class", "normal", "bulky", "(bulk)", "", "  "})
    void matchShouldReturnNoRecipientOnOtherPrecedenceValues(String value) throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("Precedence", value))).isEmpty();
    }

    @Test
    void matchShouldReturnAllRecipientsWhenAnyOfSeveralPrecedenceHeadersIsBulk() throws Exception {
        init(ANY);
        Mail mail = FakeMail.builder()
            .name("mail")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("Precedence", "first-class")
                .addHeader("Precedence", "list")
                .setText("body"))
            .recipients(ALICE, BOB)
            .build();

        assertThat(testee.match(mail)).containsExactly(ALICE, BOB);
    }

    @Test
    void matchShouldReturnAllRecipientsOnListId() throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("List-Id", "Postino users <users.postino.test>")))
            .containsExactly(ALICE, BOB);
    }

    @Test
    void matchShouldReturnNoRecipientOnEmptyListId() throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("List-Id", " "))).isEmpty();
    }

    @Test
    void matchShouldReturnAllRecipientsOnListUnsubscribe() throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("List-Unsubscribe", "<mailto:leave@postino.test>")))
            .containsExactly(ALICE, BOB);
    }

    @Test
    void matchShouldReturnNoRecipientOnEmptyListUnsubscribe() throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("List-Unsubscribe", ""))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto-generated", "auto-replied", "Auto-Notified", "auto-generated; owner-email=\"a@b.test\"",
        "auto-replied (vacation)", "x-custom-robot"})
    void matchShouldReturnAllRecipientsOnAutoSubmittedOtherThanNo(String value) throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("Auto-Submitted", value))).containsExactly(ALICE, BOB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"no", "NO", " no (a human wrote this) ", "no; reason=x", "", "(only a comment)"})
    void matchShouldReturnNoRecipientOnAutoSubmittedNoOrEmpty(String value) throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("Auto-Submitted", value))).isEmpty();
    }

    @Test
    void matchShouldReturnNoRecipientWhenNoBulkSignal() throws Exception {
        init(ANY);

        assertThat(testee.match(mailWithHeader("Subject", "Lunch?"))).isEmpty();
    }

    @Test
    void matchShouldTreatEmptyConditionAsEverySignal() throws Exception {
        init("");

        assertThat(testee.match(mailWithHeader("Auto-Submitted", "auto-generated"))).containsExactly(ALICE, BOB);
    }

    @Test
    void matchShouldIgnoreSignalsLeftOutOfTheCondition() throws Exception {
        init("precedence,list-id");

        assertThat(testee.match(mailWithHeader("List-Unsubscribe", "<mailto:leave@postino.test>"))).isEmpty();
        assertThat(testee.match(mailWithHeader("Auto-Submitted", "auto-generated"))).isEmpty();
    }

    @Test
    void matchShouldCountSignalsNamedInTheCondition() throws Exception {
        init("precedence,list-id");

        assertThat(testee.match(mailWithHeader("Precedence", "bulk"))).containsExactly(ALICE, BOB);
        assertThat(testee.match(mailWithHeader("List-Id", "<users.postino.test>"))).containsExactly(ALICE, BOB);
    }

    @Test
    void initShouldAcceptSignalNamesInAnyCaseAndWithSpaces() throws Exception {
        init(" List-Unsubscribe , AUTO-SUBMITTED ");

        assertThat(testee.match(mailWithHeader("Auto-Submitted", "auto-replied"))).containsExactly(ALICE, BOB);
        assertThat(testee.match(mailWithHeader("Precedence", "bulk"))).isEmpty();
    }

    @Test
    void initShouldThrowOnUnknownSignal() {
        assertThatThrownBy(() -> init("precedence,newsletter"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("IsBulk")
            .hasMessageContaining("'precedence,newsletter'")
            .hasMessageContaining("'newsletter'")
            .hasMessageContaining("precedence, list-id, list-unsubscribe, auto-submitted");
    }

    @Test
    void initShouldNameEveryUnknownSignal() {
        assertThatThrownBy(() -> init("spam,precedence,ham"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'spam', 'ham'");
    }

    @Test
    void initShouldThrowOnEmptySignalName() {
        assertThatThrownBy(() -> init("precedence,,list-id"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("unknown signal ''");
    }

    @Test
    void initShouldThrowOnHeaderNameInsteadOfSignalName() {
        assertThatThrownBy(() -> init("List-Help"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'List-Help'");
    }

    private void init(String condition) throws MessagingException {
        testee.init(FakeMatcherConfig.builder()
            .matcherName("IsBulk")
            .condition(condition)
            .build());
    }

    private static Mail mailWithHeader(String name, String value) throws MessagingException {
        return FakeMail.builder()
            .name("mail")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader(name, value)
                .setSubject("subject")
                .setText("body"))
            .recipients(ALICE, BOB)
            .build();
    }

    private static MailAddress mailAddress(String address) {
        try {
            return new MailAddress(address);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
