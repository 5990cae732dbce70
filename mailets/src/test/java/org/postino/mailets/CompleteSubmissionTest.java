package org.postino.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import javax.mail.MessagingException;
import javax.mail.internet.MailDateFormat;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postino.mailets.message.Malformed;

class CompleteSubmissionTest {
    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 29, 5, 7, 9, 0, ZoneOffset.ofHours(1));

    private static CompleteSubmission mailet(String domain) throws MessagingException {
        CompleteSubmission mailet = new CompleteSubmission(() -> NOW);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("CompleteSubmission");
        if (domain != null) {
            config.setProperty("domain", domain);
        }
        mailet.init(config.build());
        return mailet;
    }

    private static MailImpl mail(String sender, String raw) throws Exception {
        MailImpl mail = Malformed.queued("Mail1-x", raw.getBytes(StandardCharsets.UTF_8));
        mail.setSender(sender == null ? null : new MailAddress(sender));
        return mail;
    }

    private static String bytes(MailImpl mail) throws Exception {
        return new String(new MimeMessageInputStream(mail.getMessage()).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void addsBothFieldsInFrontOfTheReceivedBytes() throws Exception {
        String raw = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nbody line\r\n";
        MailImpl mail = mail("alice@example.com", raw);

        mailet(null).service(mail);

        String written = bytes(mail);
        assertThat(written).matches("(?s)Message-ID: <[0-9a-f-]{36}@example\\.com>\r\nDate: Sun, 29 Nov 2026 05:07:09 \\+0100\r\n\\Q" + raw + "\\E");
        assertThat(new MailDateFormat().parse(mail.getMessage().getHeader("Date")[0]).toInstant()).isEqualTo(NOW.toInstant());
    }

    @Test
    void leavesFieldsTheMessageHasAlone() throws Exception {
        String raw = "Date: Tue, 1 Jan 2030 00:00:00 +0000\r\nMessage-Id: <mine@client.example>\r\nSubject: x\r\n\r\nb\r\n";
        MailImpl mail = mail("alice@example.com", raw);

        mailet(null).service(mail);

        assertThat(bytes(mail)).isEqualTo(raw);
    }

    @Test
    void addsOnlyTheMissingOne() throws Exception {
        String raw = "Date: Tue, 1 Jan 2030 00:00:00 +0000\r\nSubject: x\r\n\r\nb\r\n";
        MailImpl mail = mail("alice@example.com", raw);

        mailet("mx.example.net").service(mail);

        assertThat(bytes(mail)).matches("(?s)Message-ID: <[0-9a-f-]{36}@mx\\.example\\.net>\r\n\\Q" + raw + "\\E");
    }

    @Test
    void mailWithoutSenderGetsAnIdOfThisHost() throws Exception {
        MailImpl mail = mail(null, "Subject: x\r\n\r\nb\r\n");

        mailet(null).service(mail);

        assertThat(mail.getMessage().getHeader("Message-ID")[0]).matches("<[0-9a-f-]{36}@[A-Za-z0-9.-]+>");
    }

    @Test
    void eachMessageGetsItsOwnId() throws Exception {
        CompleteSubmission mailet = mailet(null);
        MailImpl first = mail("alice@example.com", "Subject: x\r\n\r\nb\r\n");
        MailImpl second = mail("alice@example.com", "Subject: x\r\n\r\nb\r\n");

        mailet.service(first);
        mailet.service(second);

        assertThat(first.getMessage().getHeader("Message-ID")[0]).isNotEqualTo(second.getMessage().getHeader("Message-ID")[0]);
    }

    static Iterable<String> malformed() {
        return Malformed.UNSAVABLE;
    }

    /** Mail javax.mail could not save again: completed all the same, every received byte kept. */
    @ParameterizedTest
    @MethodSource("malformed")
    void completesMalformedMailKeepingItsBytes(String fixture) throws Exception {
        byte[] raw = Malformed.bytes(fixture);
        MailImpl mail = Malformed.queued("Mail1-x", raw);
        mail.setSender(new MailAddress("alice@example.com"));

        mailet(null).service(mail);

        byte[] written = new MimeMessageInputStream(mail.getMessage()).readAllBytes();
        assertThat(written).endsWith(raw);
        assertThat(mail.getMessage().getHeader("Date")).hasSize(1);
        assertThat(mail.getMessage().getHeader("Message-ID")).hasSize(1);
    }

    @Test
    void refusesABadDomainAndUnknownParameters() {
        assertThatThrownBy(() -> mailet("not a domain")).hasMessageContaining("'domain'").hasMessageContaining("not a domain");
        assertThatThrownBy(() -> new CompleteSubmission().init(FakeMailetConfig.builder().mailetName("CompleteSubmission")
                .setProperty("domian", "example.com").build()))
            .hasMessageContaining("unknown parameter 'domian'");
    }
}
