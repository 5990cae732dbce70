package org.postino.server.it;

import org.postino.mailets.delivery.fake.FakeMx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MailDateFormat;
import javax.mail.internet.MimeMessage;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.mail.dsn.DeliveryStatus;
import com.sun.mail.dsn.MultipartReport;

/**
 * Remote delivery by the built distribution (DeliverRemotely in the {@code relay} processor): alice
 * submits on 587 to {@code bob@[127.0.0.1]}, a domain literal, so no DNS is involved and the engine
 * goes straight to a fake MX on the port it is given. A one-second retry schedule and a three-second
 * delay-notice threshold make the schedule watchable. Notices come back to alice's INBOX and are
 * parsed there with an independent RFC 3464 parser (com.sun.mail:dsn).
 *
 * <p>The outgoing queue (James's ActiveMQ queue) looks for mail that has become due every 10 s, so
 * in practice the attempts are about 10 s apart whatever the schedule says; deadlines allow for it.
 * Where the tests need to know which attempt did what, they read the engine's log lines.
 */
class RemoteDeliveryIT {

    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "relay-pw-1";
    private static final String BOB = "bob@[127.0.0.1]";
    private static final Duration LIFETIME = Duration.ofHours(1);
    /** OutgoingWorker: "{mail}: {n} recipient(s) deferred, attempt {k} failed, next attempt in {delay}". */
    private static final Pattern DEFERRAL = Pattern.compile(" - (\\S+): \\d+ recipient\\(s\\) deferred, attempt (\\d+) failed");

    private static FakeMx mx;
    private static Distribution postino;

    /** Messages a test leaves in the retry schedule: delivered before the next test starts. */
    private final List<String> stillQueued = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        mx = FakeMx.start();
        postino = Distribution.install();
        configureDelivery("port", String.valueOf(mx.port()));
        configureDelivery("retrySchedule", "1s");
        configureDelivery("retryJitter", "0");
        configureDelivery("delayNotices", "3s");
        configureDelivery("lifetime", "1h");
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    @AfterEach
    void deliverWhatIsStillQueued() throws Exception {
        mx.answerRcpt(rcpt -> "250 2.1.5 ok");
        for (String messageId : stillQueued) {
            Await.until(Duration.ofSeconds(25), () -> mx.transactionsCarrying(messageId), copies -> copies > 0);
        }
    }

    @Test
    void aDelayedNoticeReachesTheLocalSenderWhileTheRemoteRefusesTemporarily() throws Exception {
        mx.answerRcpt(rcpt -> "451 4.3.0 try later");
        int logMark = log().size();

        String messageId = submitToBob("delayed");
        stillQueued.add(messageId);

        // The second attempt is the first one past the 3 s threshold; it comes about 10 s after the first.
        List<MimeMessage> notices = Await.until(Duration.ofSeconds(20), () -> noticesAbout(messageId), found -> !found.isEmpty());
        String mail = firstDeferredMail(logMark);
        int noticeAttempt = attemptThatSentTheNotice(mail, "delayed");
        Await.until(Duration.ofSeconds(20), () -> deferredAttempts(mail), attempts -> attempts.contains(noticeAttempt + 1));
        assertThat(noticeLines(mail, "delayed")).as("delayed notices sent, one attempt after the first").hasSize(1);
        notices = noticesAbout(messageId);
        assertThat(notices).as("notices about " + messageId + " in alice's INBOX").hasSize(1);
        assertThat(mx.rcpts()).as("attempts the fake MX saw").isGreaterThanOrEqualTo(3);
        assertThat(mx.transactions()).isEmpty();

        MimeMessage notice = notices.get(0);
        assertIsADeliveryStatusNotification(notice);
        InternetHeaders message = report(notice).getDeliveryStatus().getMessageDSN();
        InternetHeaders recipient = onlyRecipient(notice);
        Instant arrived = date(message, "Arrival-Date");
        SoftAssertions fields = new SoftAssertions();
        fields.assertThat(recipient.getHeader("Final-Recipient", null)).as("Final-Recipient").isEqualTo("rfc822; " + BOB);
        fields.assertThat(recipient.getHeader("Action", null)).as("Action").isEqualTo("delayed");
        fields.assertThat(recipient.getHeader("Status", null)).as("Status").isEqualTo("4.3.0");
        fields.assertThat(recipient.getHeader("Diagnostic-Code", null)).as("Diagnostic-Code").isEqualTo("smtp; 451 4.3.0 try later");
        fields.assertThat(date(recipient, "Will-Retry-Until")).as("Will-Retry-Until: arrival plus lifetime").isEqualTo(arrived.plus(LIFETIME));
        fields.assertThat(date(recipient, "Last-Attempt-Date")).as("Last-Attempt-Date").isAfterOrEqualTo(arrived.plusSeconds(3));
        fields.assertThat(report(notice).getReturnedMessage().getMessageID()).as("returned message").isEqualTo(messageId);
        fields.assertAll();
    }

    @Test
    void killDashNineMidScheduleResumesItAndDeliversOnce() throws Exception {
        int refusals = 3;
        mx.answerRcpt(rcpt -> rcpt <= refusals ? "451 4.3.0 try later" : "250 2.1.5 ok");
        int logMark = log().size();

        String messageId = submitToBob("across a crash");

        // Logged once the mail is back in the durable queue with its state: a crash now is mid-schedule.
        String mail = firstDeferredMail(logMark);
        assertThat(deferredAttempts(mail)).containsExactly(1);
        assertThat(mx.transactions()).isEmpty();
        postino.kill9();
        Thread.sleep(2000);
        int attemptsBeforeTheCrash = mx.rcpts();
        postino.start();

        Await.until(Duration.ofSeconds(45), () -> mx.transactionsCarrying(messageId), copies -> copies > 0);
        // Nothing left that could bring a second copy: the queue is empty and nobody talks to the MX.
        Await.until(Duration.ofSeconds(15), () -> outgoingQueueSize() + mx.openSessions(), busy -> busy == 0);
        assertThat(mx.transactionsCarrying(messageId)).as("copies of " + messageId + " the fake MX accepted").isEqualTo(1);
        assertThat(mx.rcpts()).as("RCPTs in all, " + attemptsBeforeTheCrash + " before the crash").isGreaterThanOrEqualTo(refusals + 1);
        assertThat(deferredAttempts(mail)).as("failed attempts: after the restart the count goes on where it was")
            .containsExactly(1, 2, 3);
        assertThat(noticeLines(mail, "failed")).isEmpty();
        for (MimeMessage notice : noticesAbout(messageId)) {
            assertThat(onlyRecipient(notice).getHeader("Action", null)).as("a notice about " + messageId).isNotEqualTo("failed");
        }
    }

    @Test
    void aPermanentRefusalReturnsAFailedNoticeToTheSender() throws Exception {
        mx.answerRcpt(rcpt -> "550 5.1.1 no such user");
        int logMark = log().size();

        String messageId = submitToBob("refused");

        List<MimeMessage> notices = Await.until(Duration.ofSeconds(15), () -> noticesAbout(messageId), found -> !found.isEmpty());
        Await.until(Duration.ofSeconds(15), () -> outgoingQueueSize() + mx.openSessions(), busy -> busy == 0);
        assertThat(mx.rcpts()).as("RCPTs: a permanent refusal is not retried").isEqualTo(1);
        assertThat(mx.transactions()).isEmpty();
        assertThat(logSince(logMark).stream().filter(line -> line.contains("Sent a 'failed' notice")))
            .as("failed notices sent").hasSize(1);
        notices = noticesAbout(messageId);
        assertThat(notices).as("notices about " + messageId + " in alice's INBOX").hasSize(1);

        MimeMessage notice = notices.get(0);
        assertIsADeliveryStatusNotification(notice);
        InternetHeaders recipient = onlyRecipient(notice);
        SoftAssertions fields = new SoftAssertions();
        fields.assertThat(recipient.getHeader("Final-Recipient", null)).as("Final-Recipient").isEqualTo("rfc822; " + BOB);
        fields.assertThat(recipient.getHeader("Action", null)).as("Action").isEqualTo("failed");
        fields.assertThat(recipient.getHeader("Status", null)).as("Status").isEqualTo("5.1.1");
        fields.assertThat(recipient.getHeader("Diagnostic-Code", null)).as("Diagnostic-Code").isEqualTo("smtp; 550 5.1.1 no such user");
        fields.assertThat(recipient.getHeader("Will-Retry-Until", null)).as("Will-Retry-Until").isNull();
        fields.assertThat(report(notice).getReturnedMessage().getMessageID()).as("returned message").isEqualTo(messageId);
        fields.assertThat(report(notice).getText()).as("human-readable part").contains("<" + BOB + ">");
        fields.assertAll();
    }

    private static String submitToBob(String subject) throws Exception {
        String messageId = MailFlowIT.newMessageId();
        String message = "From: " + ALICE + "\r\n"
            + "To: " + BOB + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "\r\n"
            + "Hello from the remote delivery test.\r\n";
        try (SmtpSession smtp = SmtpSession.connect(postino.port(587))) {
            smtp.ehlo().expect(250);
            smtp.startTls();
            smtp.ehlo().expect(250);
            smtp.authPlain(ALICE, PASSWORD).expect(235);
            smtp.send(ALICE, List.of(BOB), message).expect(250);
        }
        return messageId;
    }

    /** The messages in alice's INBOX answering {@code messageId}: the notices about it. */
    private static List<MimeMessage> noticesAbout(String messageId) throws Exception {
        List<MimeMessage> notices = new ArrayList<>();
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            if (imap.select("INBOX") == 0) {
                return notices;
            }
            for (String line : imap.ok("SEARCH HEADER In-Reply-To \"" + messageId + "\"")) {
                if (line.startsWith("* SEARCH")) {
                    for (String number : line.substring("* SEARCH".length()).trim().split(" ")) {
                        if (!number.isEmpty()) {
                            notices.add(fetch(imap, Integer.parseInt(number)));
                        }
                    }
                }
            }
        }
        return notices;
    }

    private static MimeMessage fetch(ImapSession imap, int number) throws Exception {
        String response = String.join("\n", imap.ok("FETCH " + number + " (BODY.PEEK[])"));
        int start = response.indexOf("}\r\n");
        assertThat(start).as("literal in " + response).isPositive();
        String content = response.substring(start + 3, response.lastIndexOf(')'));
        Session session = Session.getInstance(new Properties());
        return new MimeMessage(session, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertIsADeliveryStatusNotification(MimeMessage notice) throws Exception {
        ContentType type = new ContentType(notice.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        assertThat(notice.getHeader("To", null)).isEqualTo(ALICE);
        assertThat(notice.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(notice.getContent()).isInstanceOf(MultipartReport.class);
        assertThat(report(notice).getReport()).isInstanceOf(DeliveryStatus.class);
        assertThat(report(notice).getDeliveryStatus().getMessageDSN().getHeader("Reporting-MTA", null)).startsWith("dns; ");
    }

    private static MultipartReport report(MimeMessage notice) throws Exception {
        return (MultipartReport) notice.getContent();
    }

    private static InternetHeaders onlyRecipient(MimeMessage notice) throws Exception {
        DeliveryStatus status = report(notice).getDeliveryStatus();
        assertThat(status.getRecipientDSNCount()).as("recipients reported").isEqualTo(1);
        return status.getRecipientDSN(0);
    }

    private static Instant date(InternetHeaders fields, String name) throws Exception {
        String value = fields.getHeader(name, null);
        assertThat(value).as(name).isNotNull();
        return new MailDateFormat().parse(value).toInstant();
    }

    private static long outgoingQueueSize() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + postino.webAdminPort() + "/mailQueues/outgoing")).build(),
            HttpResponse.BodyHandlers.ofString());
        Matcher size = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(response.body());
        assertThat(size.find()).as(response.body()).isTrue();
        return Long.parseLong(size.group(1));
    }

    private static List<String> log() throws Exception {
        Path log = postino.home().resolve("log/postino.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    private static List<String> logSince(int mark) throws Exception {
        List<String> log = log();
        return log.subList(Math.min(mark, log.size()), log.size());
    }

    /** The name of the first mail deferred after line {@code logMark} of the log, once there is one. */
    private static String firstDeferredMail(int logMark) throws Exception {
        String line = Await.until(Duration.ofSeconds(15),
            () -> logSince(logMark).stream().filter(text -> DEFERRAL.matcher(text).find()).findFirst(),
            found -> found.isPresent()).get();
        Matcher deferral = DEFERRAL.matcher(line);
        assertThat(deferral.find()).isTrue();
        return deferral.group(1);
    }

    /** The numbers of the failed attempts logged for {@code mail}, in log order. */
    private static List<Integer> deferredAttempts(String mail) throws Exception {
        List<Integer> attempts = new ArrayList<>();
        for (String line : log()) {
            Matcher deferral = DEFERRAL.matcher(line);
            if (deferral.find() && deferral.group(1).equals(mail)) {
                attempts.add(Integer.parseInt(deferral.group(2)));
            }
        }
        return attempts;
    }

    private static List<String> noticeLines(String mail, String action) throws Exception {
        return log().stream().filter(line -> line.contains("Sent a '" + action + "' notice for " + mail + " "))
            .collect(Collectors.toList());
    }

    /** The attempt whose deferral followed the {@code action} notice about {@code mail} in the log. */
    private static int attemptThatSentTheNotice(String mail, String action) throws Exception {
        String notice = Await.until(Duration.ofSeconds(5), () -> noticeLines(mail, action), lines -> !lines.isEmpty()).get(0);
        List<String> log = log();
        for (String line : log.subList(log.indexOf(notice), log.size())) {
            Matcher deferral = DEFERRAL.matcher(line);
            if (deferral.find() && deferral.group(1).equals(mail)) {
                return Integer.parseInt(deferral.group(2));
            }
        }
        throw new AssertionError("no deferral of " + mail + " logged after its " + action + " notice");
    }

    private static void configureDelivery(String parameter, String value) throws Exception {
        postino.configureDelivery(parameter, value);
    }
}
