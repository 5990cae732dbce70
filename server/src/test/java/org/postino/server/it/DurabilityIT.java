package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the server accepted survives a clean restart and a {@code kill -9}: messages, flags,
 * users, domains, and mail that was still waiting in the spool queue, which is then delivered
 * exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DurabilityIT {

    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "s3cret-pw";
    private static Distribution postino;

    @BeforeAll
    static void startServer() throws Exception {
        postino = Distribution.install();
        // Few spool threads, so that SMTP intake outruns delivery and mail is still queued at the
        // kill, while several deliveries are in flight when it comes (the exactly-once case).
        postino.replaceInFile("mailetcontainer.xml", "<threads>20</threads>", "<threads>4</threads>");
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
        postino.admin("user", "add", BOB, PASSWORD);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
    }

    @Test
    @Order(1)
    void cleanRestartKeepsMessagesFlagsUsersAndDomains() throws Exception {
        String messageId = MailFlowIT.newMessageId();
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.send("someone@remote.test", List.of(ALICE), MailFlowIT.message("someone@remote.test", "keep me", messageId)).expect(250);
        }
        int number = awaitSingle(ALICE, messageId);
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.select("INBOX");
            imap.ok("STORE " + number + " +FLAGS (\\Flagged)");
        }

        postino.stop();
        postino.start();

        assertThat(postino.postino("domain", "list").out).contains("example.com");
        assertThat(postino.postino("user", "list").out).contains(ALICE).contains(BOB);
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.select("INBOX");
            List<Integer> found = imap.searchMessageId(messageId);
            assertThat(found).hasSize(1);
            String flags = String.join("\n", imap.ok("FETCH " + found.get(0) + " (FLAGS)"));
            assertThat(flags).contains("\\Flagged");
        }
    }

    @Test
    @Order(2)
    void killDashNineLosesNothingAcceptedAndDeliversSpooledMailOnce() throws Exception {
        int before = inboxIds(BOB).size();
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> sessions = new ArrayList<>();
        String padding = "x".repeat(76) + "\r\n";
        String body = padding.repeat(250);
        for (int client = 0; client < 8; client++) {
            sessions.add(clients.submit(() -> {
                try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
                    smtp.ehlo().expect(250);
                    for (int i = 0; i < 50; i++) {
                        String id = MailFlowIT.newMessageId();
                        String message = "From: load@remote.test\r\nTo: " + BOB + "\r\nSubject: load " + i
                            + "\r\nMessage-ID: " + id + "\r\n\r\n" + body;
                        if (smtp.send("load@remote.test", List.of(BOB), message).code == 250) {
                            accepted.add(id);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> session : sessions) {
            session.get();
        }
        clients.shutdown();
        long spooled = spoolSize();
        postino.kill9();

        System.out.println("kill -9 with " + spooled + " of " + accepted.size() + " messages still in the spool queue");
        assertThat(accepted).hasSize(400);
        assertThat(spooled).as("mail still in the spool queue at the kill (else this test proves nothing)").isPositive();

        postino.start();
        List<String> delivered = Await.until(Duration.ofMinutes(3), () -> inboxIds(BOB),
            ids -> ids.size() >= before + accepted.size());
        Map<String, Long> copies = delivered.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        List<String> lost = accepted.stream().filter(id -> !copies.containsKey(id)).collect(Collectors.toList());
        List<String> duplicated = copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
            .collect(Collectors.toList());
        assertThat(lost).as("accepted but lost").isEmpty();
        assertThat(duplicated).as("delivered more than once").isEmpty();
    }

    private static List<String> inboxIds(String user) throws Exception {
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), user, PASSWORD)) {
            if (imap.select("INBOX") == 0) {
                return List.of();
            }
            return imap.allMessageIds();
        }
    }

    private static int awaitSingle(String user, String messageId) throws Exception {
        return Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), user, PASSWORD)) {
                imap.select("INBOX");
                return imap.searchMessageId(messageId);
            }
        }, found -> found.size() == 1).get(0);
    }

    private static long spoolSize() throws Exception {
        String webAdmin = postino.readConf("webadmin.properties");
        Matcher port = Pattern.compile("port=(\\d+)").matcher(webAdmin);
        assertThat(port.find()).isTrue();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/mailQueues/spool")).build(),
            HttpResponse.BodyHandlers.ofString());
        Matcher size = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(response.body());
        assertThat(size.find()).as(response.body()).isTrue();
        return Long.parseLong(size.group(1));
    }
}
