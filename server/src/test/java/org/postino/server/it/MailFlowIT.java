package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mail in over SMTP (25, 587 with STARTTLS+AUTH, 465), out over IMAPS and POP3S, from the built
 * distribution started with bin/postino; and no open relay.
 */
class MailFlowIT {

    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "correct horse";
    private static Distribution postino;

    @BeforeAll
    static void startServer() throws Exception {
        postino = Distribution.install();
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
    }

    @Test
    void mailToPort25IsReadableOverImapsAndPop3s() throws Exception {
        String messageId = newMessageId();
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.send("bob@remote.test", List.of(ALICE), message("bob@remote.test", "over port 25", messageId)).expect(250);
        }
        assertReadableOverImapsAndPop3s(messageId, "over port 25");
    }

    @Test
    void submissionWithStartTlsAndAuthIsReadableOverImapsAndPop3s() throws Exception {
        String messageId = newMessageId();
        try (SmtpSession smtp = SmtpSession.connect(postino.port(587))) {
            smtp.ehlo().expect(250);
            smtp.startTls();
            assertThat(smtp.ehlo().mentions("AUTH")).as("AUTH offered after STARTTLS").isTrue();
            smtp.authPlain(ALICE, PASSWORD).expect(235);
            smtp.send(ALICE, List.of(ALICE), message(ALICE, "over submission", messageId)).expect(250);
        }
        assertReadableOverImapsAndPop3s(messageId, "over submission");
    }

    @Test
    void implicitTlsSubmissionOnPort465Authenticates() throws Exception {
        String messageId = newMessageId();
        try (SmtpSession smtp = SmtpSession.connectImplicitTls(postino.port(465))) {
            smtp.ehlo().expect(250);
            smtp.authPlain(ALICE, PASSWORD).expect(235);
            smtp.send(ALICE, List.of(ALICE), message(ALICE, "over smtps", messageId)).expect(250);
        }
        assertReadableOverImapsAndPop3s(messageId, "over smtps");
    }

    @Test
    void unauthenticatedClientIsRefusedForARemoteRecipient() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.command("MAIL FROM:<spammer@remote.test>").expect(250);
            SmtpSession.Reply reply = smtp.command("RCPT TO:<victim@elsewhere.test>");
            assertThat(reply.code / 100).as("reply to a relay attempt: " + reply).isEqualTo(5);
            assertThat(reply.toString()).contains("5.7.1");
        }
    }

    @Test
    void authenticatedSubmissionToARemoteRecipientIsAccepted() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(587))) {
            smtp.ehlo().expect(250);
            smtp.startTls();
            smtp.ehlo().expect(250);
            smtp.authPlain(ALICE, PASSWORD).expect(235);
            smtp.send(ALICE, List.of("friend@elsewhere.test"), message(ALICE, "to a friend", newMessageId())).expect(250);
        }
    }

    @Test
    void authIsNotOfferedNorAcceptedBeforeTls() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(587))) {
            SmtpSession.Reply ehlo = smtp.ehlo().expect(250);
            assertThat(ehlo.mentions("AUTH")).as("AUTH advertised in clear: " + ehlo).isFalse();
            SmtpSession.Reply auth = smtp.authPlain(ALICE, PASSWORD);
            assertThat(auth.code).as("AUTH in clear: " + auth).isEqualTo(538);
            assertThat(auth.toString()).contains("5.7.11");
        }
    }

    @Test
    void submissionRefusesMailFromBeforeAuthentication() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(587))) {
            smtp.ehlo().expect(250);
            smtp.startTls();
            smtp.ehlo().expect(250);
            SmtpSession.Reply reply = smtp.command("MAIL FROM:<stranger@remote.test>");
            assertThat(reply.code).as(reply.toString()).isEqualTo(530);
            assertThat(reply.toString()).contains("5.7.0");
        }
    }

    @Test
    void lmtpDeliveryGoesThroughTheMailPipeline() throws Exception {
        String messageId = newMessageId();
        try (SmtpSession lmtp = SmtpSession.connect(postino.port(24))) {
            lmtp.command("LHLO client.test").expect(250);
            lmtp.send("filter@localhost", List.of(ALICE), message("filter@localhost", "over lmtp", messageId)).expect(250);
        }
        assertReadableOverImapsAndPop3s(messageId, "over lmtp");
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.select("INBOX");
            int number = imap.searchMessageId(messageId).get(0);
            String headers = String.join("\n", imap.ok("FETCH " + number + " (BODY.PEEK[HEADER])"));
            assertThat(headers).as("headers written by the pipeline").contains("X-Postino-Queue-Id:").contains("Delivered-To:");
        }
    }

    @Test
    void port25DoesNotOfferAuth() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            SmtpSession.Reply ehlo = smtp.ehlo().expect(250);
            assertThat(ehlo.mentions("STARTTLS")).isTrue();
            smtp.startTls();
            assertThat(smtp.ehlo().mentions("AUTH")).isFalse();
        }
    }

    private static void assertReadableOverImapsAndPop3s(String messageId, String subject) throws Exception {
        List<Integer> found = Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
                imap.select("INBOX");
                return imap.searchMessageId(messageId);
            }
        }, numbers -> !numbers.isEmpty());
        assertThat(found).hasSize(1);
        try (Pop3Session pop3 = Pop3Session.connectTls(postino.port(995), ALICE, PASSWORD)) {
            int count = pop3.count();
            boolean seen = false;
            for (int i = 1; i <= count && !seen; i++) {
                String text = pop3.retrieve(i);
                seen = text.contains(messageId) && text.contains("Subject: " + subject);
            }
            assertThat(seen).as("message " + messageId + " over POP3S among " + count).isTrue();
        }
    }

    static String newMessageId() {
        return "<" + UUID.randomUUID() + "@client.test>";
    }

    static String message(String from, String subject, String messageId) {
        return "From: " + from + "\r\n"
            + "To: " + ALICE + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "\r\n"
            + "Hello from the test suite.\r\n";
    }
}
