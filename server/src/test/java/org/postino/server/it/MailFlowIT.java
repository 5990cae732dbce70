package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postino.mailets.message.Malformed;

/**
 * Mail in over SMTP (25, 587 with STARTTLS+AUTH, 465), out over IMAPS and POP3S, from the built
 * distribution started with bin/postino; and no open relay. Mail the server accepts is stored byte for byte: long
 * lines, malformed MIME, raw 8-bit headers; a line over the limit refuses the message with one reply.
 */
class MailFlowIT {

    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "correct horse";
    /** Mailboxes of their own for the byte-for-byte checks, which read every message stored. */
    private static final String LONG_LINES = "longlines@example.com";
    private static final String MALFORMED = "malformed@example.com";
    private static final String LMTP_LINES = "lmtplines@example.com";
    private static final String BARE = "bare@example.com";
    private static Distribution postino;

    @BeforeAll
    static void startServer() throws Exception {
        postino = Distribution.install();
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
        postino.admin("user", "add", LONG_LINES, PASSWORD);
        postino.admin("user", "add", MALFORMED, PASSWORD);
        postino.admin("user", "add", LMTP_LINES, PASSWORD);
        postino.admin("user", "add", BARE, PASSWORD);
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

    @Test
    void longLinesAreStoredIntactAndALineOverTheLimitRefusesTheMessageWithOneReply() throws Exception {
        // 48 KB: the SpamAssassin corpus message James's 8,192-octet framing cut (500 twice mid-DATA, then 250)
        byte[] fortyEightKb = withLine("48 KB line", "<td>cell</td>".repeat(48 * 1024 / 13 + 1));
        byte[] million = withLine("1,000,000 octet line", "m".repeat(1_000_000));
        byte[] after = withLine("after the refused one", "short");
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);

            smtp.sendRaw("bob@remote.test", List.of(LONG_LINES), fortyEightKb).expect(250);

            SmtpSession.Reply refused = smtp.sendRaw("bob@remote.test", List.of(LONG_LINES), million);
            assertThat(refused.code).as(refused.toString()).isEqualTo(552);
            assertThat(refused.toString()).contains("5.3.4");
            // one reply only: the next commands get their own
            smtp.command("NOOP").expect(250);
            SmtpSession.Reply longCommand = smtp.command("NOOP " + "x".repeat(600_000));
            assertThat(longCommand.code).as(longCommand.toString()).isEqualTo(500);
            assertThat(longCommand.toString()).contains("5.5.2");
            smtp.command("NOOP").expect(250);

            smtp.sendRaw("bob@remote.test", List.of(LONG_LINES), after).expect(250);
        }

        assertStoredIntact(storedMessages(LONG_LINES, 2), List.of(fortyEightKb, after));
    }

    @Test
    void lmtpKeepsLongLinesIntactAndRefusesAMessageWithALineOverTheLimitForEachRecipient() throws Exception {
        byte[] fortyEightKb = withLine("48 KB line over LMTP", "<td>lmtp</td>".repeat(48 * 1024 / 13 + 1));
        byte[] million = withLine("1,000,000 octet line over LMTP", "l".repeat(1_000_000));
        try (SmtpSession lmtp = SmtpSession.connect(postino.port(24))) {
            lmtp.command("LHLO client.test").expect(250);

            lmtp.sendRaw("filter@localhost", List.of(LMTP_LINES), fortyEightKb).expect(250);
            // James's LMTP keeps the transaction after the end of data ('503 Sender already specified' otherwise)
            lmtp.command("RSET").expect(250);

            SmtpSession.Reply first = lmtp.sendRaw("filter@localhost", List.of(LMTP_LINES, ALICE), million);
            SmtpSession.Reply second = lmtp.next();
            for (SmtpSession.Reply reply : List.of(first, second)) {
                assertThat(reply.code).as(reply.toString()).isEqualTo(552);
                assertThat(reply.toString()).contains("5.3.4");
            }
            lmtp.command("NOOP").expect(250);
        }

        // LMTP delivers before it answers: what is stored now is all there will be.
        assertStoredIntact(storedMessages(LMTP_LINES, 1), List.of(fortyEightKb));
    }

    @Test
    void malformedMimeAndRawEightBitHeadersAreStoredIntact() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            for (String fixture : Malformed.UNSAVABLE) {
                byte[] message = Malformed.bytes(fixture);
                smtp.sendRaw("sender@remote.test", List.of(MALFORMED), message).expect(250);
                // Delivery writes the envelope's Return-Path in place of any the message came with.
                sent.add(withoutReturnPath(message));
            }
        }

        assertStoredIntact(storedMessages(MALFORMED, sent.size()), sent);
    }

    @Test
    void submissionCompletesAMessageWithoutDateAndMessageIdWhileMailFromOutsideIsStoredAsReceived() throws Exception {
        byte[] submitted = ("From: " + BARE + "\r\nTo: " + BARE + "\r\nSubject: bare submission\r\n\r\nno date, no id\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        byte[] relayed = ("From: bob@remote.test\r\nTo: " + BARE + "\r\nSubject: bare from outside\r\n\r\nas it came\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        try (SmtpSession smtp = SmtpSession.connect(postino.port(587))) {
            smtp.ehlo().expect(250);
            smtp.startTls();
            smtp.ehlo().expect(250);
            smtp.authPlain(BARE, PASSWORD).expect(235);
            smtp.sendRaw(BARE, List.of(BARE), submitted).expect(250);
        }
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.sendRaw("bob@remote.test", List.of(BARE), relayed).expect(250);
        }

        List<String> stored = storedMessages(BARE, 2).stream().map(m -> new String(m, StandardCharsets.US_ASCII)).toList();
        String fromUser = stored.stream().filter(m -> m.contains("bare submission")).findFirst().orElseThrow();
        String fromOutside = stored.stream().filter(m -> m.contains("bare from outside")).findFirst().orElseThrow();
        assertThat(fromUser).containsPattern("(?m)^Message-ID: <[0-9a-f-]{36}@example\\.com>$")
            .containsPattern("(?m)^Date: \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}$")
            .endsWith(new String(submitted, StandardCharsets.US_ASCII));
        assertThat(fromOutside).doesNotContainPattern("(?mi)^(Date|Message-ID):")
            .endsWith(new String(relayed, StandardCharsets.US_ASCII));
    }

    private static byte[] withoutReturnPath(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        if (text.startsWith("Return-Path:")) {
            text = text.substring(text.indexOf("\r\n") + 2);
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A message whose body holds {@code line} (CRLF line breaks, nothing to dot-stuff). */
    private static byte[] withLine(String subject, String line) {
        return ("From: bob@remote.test\r\n"
            + "To: " + LONG_LINES + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: " + newMessageId() + "\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/html; charset=us-ascii\r\n"
            + "\r\n"
            + "<html><body><table><tr>\r\n"
            + line + "\r\n"
            + "</tr></table></body></html>\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> storedMessages(String user, int expected) throws Exception {
        return Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), user, PASSWORD)) {
                return imap.select("INBOX") == 0 ? List.<byte[]>of() : imap.fetchAllRaw();
            }
        }, messages -> messages.size() >= expected);
    }

    /**
     * Each message stored is one of those sent, every byte of it, below the trace fields the server writes on top
     * (Return-Path, Received, ...); in any order (the spool may hand them out side by side).
     */
    private static void assertStoredIntact(List<byte[]> stored, List<byte[]> sent) {
        assertThat(stored).hasSameSizeAs(sent);
        List<byte[]> unmatched = new ArrayList<>(sent);
        for (byte[] message : stored) {
            byte[] match = unmatched.stream().filter(candidate -> endsWith(message, candidate)).findFirst()
                .orElseThrow(() -> new AssertionError("stored message matches none sent:\n"
                    + new String(message, 0, Math.min(message.length, 2000), StandardCharsets.ISO_8859_1)));
            unmatched.remove(match);
            String added = new String(message, 0, message.length - match.length, StandardCharsets.ISO_8859_1);
            assertThat(added).startsWith("Return-Path: ").contains("X-Postino-Queue-Id: ").contains("Received: ")
                .endsWith("\r\n").doesNotContain("\r\n\r\n");
        }
    }

    private static boolean endsWith(byte[] message, byte[] tail) {
        return message.length > tail.length
            && Arrays.equals(message, message.length - tail.length, message.length, tail, 0, tail.length);
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
