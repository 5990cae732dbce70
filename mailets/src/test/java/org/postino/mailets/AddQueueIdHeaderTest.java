package org.postino.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postino.mailets.message.HeaderSafeMessage;
import org.postino.mailets.message.Malformed;
import org.postino.mailets.message.MessageBytes;
import org.postino.mailets.once.QueueRedelivery;

class AddQueueIdHeaderTest {

    private AddQueueIdHeader testee;

    @BeforeEach
    void setUp() throws Exception {
        testee = new AddQueueIdHeader();
        testee.init(FakeMailetConfig.builder().mailetName("AddQueueIdHeader").build());
    }

    @Test
    void serviceShouldWriteTheMailNameIntoTheHeader() throws Exception {
        Mail mail = mail(null);

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(QueueRedelivery.HEADER)).containsExactly("Mail123-abc");
    }

    @Test
    void serviceShouldReplaceAHeaderForgedByTheSender() throws Exception {
        Mail mail = mail("Mail999-forged");

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(QueueRedelivery.HEADER)).containsExactly("Mail123-abc");
    }

    static Iterable<String> malformed() {
        return Malformed.UNSAVABLE;
    }

    /** Mail javax.mail cannot save again (the fixtures check that they are): stamped, and otherwise untouched. */
    @ParameterizedTest
    @MethodSource("malformed")
    void serviceShouldStampMalformedMailLeavingEveryOtherByteAsReceived(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        MailImpl mail = Malformed.queued("Mail123-abc", raw);

        testee.service(mail);

        byte[] expected = Malformed.concat("X-Postino-Queue-Id: Mail123-abc\r\n".getBytes(StandardCharsets.US_ASCII), raw);
        assertThat(mail.getMessage().getHeader(QueueRedelivery.HEADER)).containsExactly("Mail123-abc");
        assertThat(mail.getMessage()).isInstanceOf(HeaderSafeMessage.class);
        assertThat(written(mail.getMessage())).isEqualTo(expected);
        assertThat(new MimeMessageInputStream(mail.getMessage()).readAllBytes()).isEqualTo(expected);
        assertThat(mail.getMessageSize()).isEqualTo(expected.length);
    }

    /**
     * What the pipeline does with the mail afterwards: RemoveMimeHeader's saveChanges(), a matcher's split
     * (MailImpl.duplicate), LocalDelivery's Return-Path before it stores the bytes of MimeMessageInputStream.
     */
    @ParameterizedTest
    @MethodSource("malformed")
    void malformedMailStampedHereGoesThroughTheRestOfThePipelineIntact(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        MailImpl mail = Malformed.queued("Mail123-abc", raw);
        testee.service(mail);
        byte[] stamped = written(mail.getMessage());

        mail.getMessage().saveChanges();
        MailImpl split = MailImpl.duplicate(mail);
        mail.getMessage().setHeader("Return-Path", "<sender@example.org>");
        byte[] stored = new MimeMessageInputStream(mail.getMessage()).readAllBytes();

        // The split copy is James's own MimeMessageWrapper again: its bytes are intact (MessageBytes), though
        // James's writeTo turns raw 8-bit header bytes into '?' (the body stays intact even then).
        assertThat(MessageBytes.toByteArray(split.getMessage())).isEqualTo(stamped);
        assertThat(Malformed.body(written(split.getMessage()))).isEqualTo(Malformed.body(raw));
        assertThat(Malformed.body(stored)).isEqualTo(Malformed.body(raw));
        assertThat(new String(Malformed.header(stored), StandardCharsets.ISO_8859_1))
            .contains("X-Postino-Queue-Id: Mail123-abc\r\n")
            .contains("Return-Path: <sender@example.org>\r\n")
            .contains(new String(Malformed.header(raw), StandardCharsets.ISO_8859_1).replaceFirst("^Return-Path: [^\r]*\r\n", ""));
    }

    @Test
    void serviceShouldReplaceAForgedHeaderOfMalformedMailAndKeepTheRest() throws Exception {
        byte[] raw = Malformed.bytes("unbalanced-quote.eml");
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        String forged = text.replace("Subject: unbalanced quote\r\n", "Subject: unbalanced quote\r\nX-Postino-Queue-Id: Mail999-forged\r\n");
        MailImpl mail = Malformed.queued("Mail123-abc", forged.getBytes(StandardCharsets.ISO_8859_1));

        testee.service(mail);

        assertThat(mail.getMessage().getHeader(QueueRedelivery.HEADER)).containsExactly("Mail123-abc");
        assertThat(new String(MessageBytes.toByteArray(mail.getMessage()), StandardCharsets.ISO_8859_1))
            .isEqualTo("X-Postino-Queue-Id: Mail123-abc\r\n" + text);
    }

    @Test
    void serviceShouldLeaveMailAlreadyStampedWithItsOwnNameAlone() throws Exception {
        byte[] raw = Malformed.concat("X-Postino-Queue-Id: Mail123-abc\r\n".getBytes(StandardCharsets.US_ASCII),
            Malformed.bytes("missing-start-boundary.eml"));
        MailImpl mail = Malformed.queued("Mail123-abc", raw);
        MimeMessage before = mail.getMessage();

        testee.service(mail);

        assertThat(mail.getMessage()).isSameAs(before);
        assertThat(written(mail.getMessage())).isEqualTo(raw);
    }

    @Test
    void initShouldRejectParameters() {
        assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder().mailetName("AddQueueIdHeader")
            .setProperty("header", "X-Id").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'header'");
    }

    private static Mail mail(String existingHeader) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("t");
        if (existingHeader != null) {
            message.addHeader(QueueRedelivery.HEADER, existingHeader);
        }
        return FakeMail.builder().name("Mail123-abc").recipient("alice@example.com").mimeMessage(message).build();
    }

    private static byte[] written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
