package org.postino.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postino.mailets.message.Malformed;

class SetMailPriorityTest {

    private static final String MAILET_NAME = "SetMailPriority";
    private static final String TRACE_HEADER = "X-Postino-Priority";

    private SetMailPriority testee;

    @BeforeEach
    void setUp() {
        testee = new SetMailPriority();
    }

    @Test
    void serviceShouldSetHighPriority() throws Exception {
        testee.init(config().setProperty("priority", "high").build());
        Mail mail = mail();

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(MailPrioritySupport.HIGH_PRIORITY);
    }

    @ParameterizedTest
    @CsvSource({"low,0", "normal,5", "high,9", "LOW,0", "High,9", "' normal ',5", "0,0", "3,3", "9,9", "07,7"})
    void serviceShouldSetTheConfiguredPriority(String configured, int expected) throws Exception {
        testee.init(config().setProperty("priority", configured).build());
        Mail mail = mail();

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(expected);
    }

    @Test
    void serviceShouldStoreThePriorityAsAnInteger() throws Exception {
        testee.init(config().setProperty("priority", "low").build());
        Mail mail = mail();

        testee.service(mail);

        assertThat(mail.getAttribute(MailPrioritySupport.MAIL_PRIORITY))
            .contains(MailPrioritySupport.LOW_PRIORITY_ATTRIBUTE);
    }

    @Test
    void serviceShouldReplaceAnExistingPriorityByDefault() throws Exception {
        testee.init(config().setProperty("priority", "low").build());
        Mail mail = mailWithPriority(MailPrioritySupport.HIGH_PRIORITY);

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(MailPrioritySupport.LOW_PRIORITY);
    }

    @Test
    void serviceShouldKeepAnExistingPriorityWhenOnlyIfAbsent() throws Exception {
        testee.init(config().setProperty("priority", "low").setProperty("onlyIfAbsent", "true").build());
        Mail mail = mailWithPriority(MailPrioritySupport.HIGH_PRIORITY);

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(MailPrioritySupport.HIGH_PRIORITY);
    }

    @Test
    void serviceShouldSetPriorityWhenOnlyIfAbsentAndNoneIsSet() throws Exception {
        testee.init(config().setProperty("priority", "low").setProperty("onlyIfAbsent", "true").build());
        Mail mail = mail();

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(MailPrioritySupport.LOW_PRIORITY);
    }

    @Test
    void serviceShouldReplaceANonIntegerPriorityEvenWhenOnlyIfAbsent() throws Exception {
        testee.init(config().setProperty("priority", "low").setProperty("onlyIfAbsent", "true").build());
        Mail mail = mail();
        mail.setAttribute(new Attribute(MailPrioritySupport.MAIL_PRIORITY, AttributeValue.of("9")));

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(MailPrioritySupport.LOW_PRIORITY);
    }

    @Test
    void serviceShouldReplaceAnExistingPriorityWhenOnlyIfAbsentIsFalse() throws Exception {
        testee.init(config().setProperty("priority", "2").setProperty("onlyIfAbsent", "false").build());
        Mail mail = mailWithPriority(MailPrioritySupport.HIGH_PRIORITY);

        testee.service(mail);

        assertThat(priorityOf(mail)).contains(2);
    }

    @Test
    void serviceShouldWriteTheTraceHeader() throws Exception {
        testee.init(config().setProperty("priority", "low").setProperty("traceHeader", TRACE_HEADER).build());
        Mail mail = mail();

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(TRACE_HEADER)).containsExactly("0");
    }

    @Test
    void serviceShouldTraceTheKeptPriorityWhenOnlyIfAbsent() throws Exception {
        testee.init(config()
            .setProperty("priority", "low")
            .setProperty("onlyIfAbsent", "true")
            .setProperty("traceHeader", TRACE_HEADER)
            .build());
        Mail mail = mailWithPriority(7);

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(TRACE_HEADER)).containsExactly("7");
    }

    @Test
    void serviceShouldReplaceAnExistingTraceHeader() throws Exception {
        testee.init(config().setProperty("priority", "high").setProperty("traceHeader", TRACE_HEADER).build());
        Mail mail = FakeMail.builder()
            .name("mail")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader(TRACE_HEADER, "0")
                .setText("body"))
            .recipient("alice@postino.test")
            .build();

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(TRACE_HEADER)).containsExactly("9");
    }

    static Iterable<String> malformed() {
        return Malformed.UNSAVABLE;
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void serviceShouldTraceMalformedMailLeavingEveryOtherByteAsReceived(String fixture) throws Exception {
        testee.init(config().setProperty("priority", "low").setProperty("traceHeader", TRACE_HEADER).build());
        byte[] raw = Malformed.bytes(fixture);
        MailImpl mail = Malformed.queued("mail", raw);

        testee.service(mail);

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        mail.getMessage().writeTo(written);
        assertThat(mail.getMessage().getHeader(TRACE_HEADER)).containsExactly("0");
        assertThat(written.toByteArray())
            .isEqualTo(Malformed.concat((TRACE_HEADER + ": 0\r\n").getBytes(StandardCharsets.US_ASCII), raw));
    }

    @Test
    void serviceShouldNotWriteAnyHeaderWithoutTraceHeader() throws Exception {
        testee.init(config().setProperty("priority", "high").build());
        Mail mail = mail();

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(TRACE_HEADER)).isNull();
    }

    @Test
    void initShouldParseEveryParameterIntoTheConfiguration() throws Exception {
        testee.init(config()
            .setProperty("priority", "high")
            .setProperty("onlyIfAbsent", "TRUE")
            .setProperty("traceHeader", " X-Postino-Priority ")
            .build());

        assertThat(testee.configuration().priority().value()).isEqualTo(9);
        assertThat(testee.configuration().onlyIfAbsent()).isTrue();
        assertThat(testee.configuration().traceHeader()).contains(TRACE_HEADER);
    }

    @Test
    void initShouldDefaultToReplacingAndNoTraceHeader() throws Exception {
        testee.init(config().setProperty("priority", "high").build());

        assertThat(testee.configuration().onlyIfAbsent()).isFalse();
        assertThat(testee.configuration().traceHeader()).isEmpty();
    }

    @Test
    void initShouldAcceptTheContainerErrorParameters() throws Exception {
        testee.init(config()
            .setProperty("priority", "high")
            .setProperty("onMailetException", "ignore")
            .setProperty("onMatchException", "nomatch")
            .build());

        assertThat(testee.configuration().priority().value()).isEqualTo(9);
    }

    @Test
    void initShouldThrowWhenPriorityIsMissing() {
        assertThatThrownBy(() -> testee.init(config().build()))
            .isInstanceOf(MessagingException.class)
            .hasMessage("SetMailPriority: missing required parameter 'priority' (expected low, normal, high or an integer 0..9)");
    }

    @Test
    void initShouldThrowOnUnknownPriority() {
        assertThatThrownBy(() -> testee.init(config().setProperty("priority", "urgent").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessage("SetMailPriority: parameter 'priority' has bad value 'urgent' (expected low, normal, high or an integer 0..9)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12", "10", "-1", "+5", "4.5", "", "  ", "0x5", "99999999999"})
    void initShouldThrowOnOutOfRangeOrMalformedPriority(String value) {
        assertThatThrownBy(() -> testee.init(config().setProperty("priority", value).build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining(MAILET_NAME)
            .hasMessageContaining("'priority'")
            .hasMessageContaining("'" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "yes", "1", ""})
    void initShouldThrowOnBadOnlyIfAbsent(String value) {
        assertThatThrownBy(() -> testee.init(config().setProperty("priority", "low").setProperty("onlyIfAbsent", value).build()))
            .isInstanceOf(MessagingException.class)
            .hasMessage("SetMailPriority: parameter 'onlyIfAbsent' has bad value '" + value + "' (expected true or false)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X Postino", "X-Postino:", "X-Pöstino"})
    void initShouldThrowOnBadTraceHeader(String value) {
        assertThatThrownBy(() -> testee.init(config().setProperty("priority", "low").setProperty("traceHeader", value).build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining(MAILET_NAME)
            .hasMessageContaining("'traceHeader' has bad value '" + value + "'");
    }

    @Test
    void initShouldThrowOnUnknownParameter() {
        assertThatThrownBy(() -> testee.init(config().setProperty("priority", "low").setProperty("prio", "high").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessage("SetMailPriority: unknown parameter 'prio' (allowed: priority, onlyIfAbsent, traceHeader)");
    }

    @Test
    void initShouldReportEveryProblemOnOneLine() {
        assertThatThrownBy(() -> testee.init(config()
                .setProperty("priority", "urgent")
                .setProperty("onlyIfAbsent", "maybe")
                .build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'priority' has bad value 'urgent'")
            .hasMessageContaining("'onlyIfAbsent' has bad value 'maybe'")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void initShouldNameTheMailetAsConfigured() {
        assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder()
                .mailetName("org.postino.mailets.SetMailPriority")
                .setProperty("priority", "12")
                .build()))
            .hasMessageStartingWith("org.postino.mailets.SetMailPriority: ");
    }

    private static FakeMailetConfig.Builder config() {
        return FakeMailetConfig.builder().mailetName(MAILET_NAME);
    }

    private static Mail mail() throws MessagingException {
        return FakeMail.builder()
            .name("mail")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .setSubject("subject")
                .setText("body"))
            .recipient("alice@postino.test")
            .build();
    }

    private static Mail mailWithPriority(int priority) throws MessagingException {
        Mail mail = mail();
        mail.setAttribute(new Attribute(MailPrioritySupport.MAIL_PRIORITY, AttributeValue.of(priority)));
        return mail;
    }

    private static Optional<Integer> priorityOf(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, MailPrioritySupport.MAIL_PRIORITY, Integer.class);
    }
}
