package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postino.mailets.delivery.fake.FakeMx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 5's acceptance, over real sockets against the built distribution: priorities and fairness in the queues.
 *
 * <p>Remote destinations are domain literals ({@code [127.0.0.21]} ...), each served by a fake MX on its own loopback
 * address and the same port, so no DNS is involved. Bulk mail is submitted with {@code Precedence: bulk} (low
 * priority by the shipped conf/priority.properties); interactive mail is submitted by a logged-in user with
 * {@code X-Priority: 1} (high).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PriorityRoutingIT {

    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "priority-pw-1";
    private static final String SLOW = "[127.0.0.21]";
    private static final String BLACKHOLE = "[127.0.0.22]";
    private static final String HEALTHY = "[127.0.0.23]";
    private static final String REFUSING = "[127.0.0.24]";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Distribution postino;
    private static FakeMx slow;
    private static FakeMx blackhole;
    private static FakeMx healthy;
    private static FakeMx refusing;

    @BeforeAll
    static void start() throws Exception {
        postino = Distribution.install();
        // After the installation has chosen its ports, so that none of them is this one.
        int port = Distribution.freePort();
        slow = FakeMx.start("127.0.0.21", port).dataDelay(Duration.ofSeconds(2));
        blackhole = FakeMx.start("127.0.0.22", port).stall();
        healthy = FakeMx.start("127.0.0.23", port);
        refusing = FakeMx.start("127.0.0.24", port).answerRcpt(rcpt -> "451 4.3.0 try later");
        postino.configureDelivery("port", String.valueOf(port));
        postino.configureDelivery("retrySchedule", "1m");
        postino.configureDelivery("retryJitter", "0");
        postino.configureDelivery("delayNotices", "none");
        postino.configureDelivery("lifetime", "1h");
        postino.configureDelivery("connectTimeout", "2s");
        postino.configureDelivery("commandTimeout", "2s");
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
        postino.admin("user", "add", BOB, PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (postino != null) {
            postino.close();
        }
        for (FakeMx mx : new FakeMx[] {slow, blackhole, healthy, refusing}) {
            if (mx != null) {
                mx.close();
            }
        }
    }

    @Test
    @Order(1)
    void anInteractiveMessageOvertakesABulkBacklogAndLocalMailDoesNotWaitForIt() throws Exception {
        int bulk = 2000;
        submitInParallel(bulk, 4, n -> "list" + n + "@" + SLOW, "Precedence: bulk\r\n");
        // The backlog is being worked through: the interactive message joins a queue that is busy.
        Await.until(Duration.ofSeconds(60), () -> slow.transactions().size(), delivered -> delivered >= 20);

        long backlog = outgoingQueueSize();
        System.out.printf("spool %s, outgoing %d when the interactive and local messages are sent%n",
            postino.webAdmin("/mailQueues/spool"), backlog);
        String metrics = postino.webAdmin("/metrics");
        assertThat(gauge(metrics, "postino_outgoing_priority_0")).as("bulk mails queued, by the metrics").isGreaterThan(backlog / 2);
        assertThat(gauge(metrics, "postino_outgoing_mails")).as("mails queued, by the metrics").isGreaterThan(backlog / 2);
        JsonNode listing = JSON.readTree(postino.webAdmin("/postino/outgoing"));
        assertThat(listing.path("byPriority").path("0").asLong()).as("bulk mails queued, by WebAdmin").isGreaterThan(backlog / 2);
        String interactive = submit(List.of("ceo@" + SLOW), "X-Priority: 1\r\n", "urgent");
        String local = submit(List.of(BOB), "", "local during the backlog");
        long sent = System.nanoTime();

        Await.until(Duration.ofSeconds(30), () -> inboxHas(BOB, local), found -> found);
        int bulkDeliveredBeforeLocal = slow.transactions().size();
        System.out.printf("local message visible after %d ms, with %d bulk messages delivered%n",
            (System.nanoTime() - sent) / 1_000_000, bulkDeliveredBeforeLocal);
        assertThat(bulkDeliveredBeforeLocal).as("bulk messages delivered before the local one was visible").isLessThan(bulk);

        Await.until(Duration.ofSeconds(60), () -> slow.transactionsCarrying(interactive), copies -> copies > 0);
        int bulkDeliveredBefore = slow.transactions().size() - 1;
        long outgoingLeft = outgoingQueueSize();
        System.out.printf("interactive message delivered after %d ms, with %d of %d bulk messages delivered and %d still queued%n",
            (System.nanoTime() - sent) / 1_000_000, bulkDeliveredBefore, bulk, outgoingLeft);
        assertThat(bulkDeliveredBefore).as("bulk messages the sink took before the interactive one").isLessThan(bulk / 2);
        assertThat(outgoingLeft).as("of the " + backlog + " mails queued ahead of it, those still queued when the interactive message went")
            .isGreaterThan(backlog * 3 / 4);

        clearOutgoingQueue();
        assertThat(slow.transactionsCarrying(interactive)).as("copies of the interactive message").isEqualTo(1);
    }

    @Test
    @Order(2)
    void aBlackholedDestinationHoldsNeitherHealthyDomainsNorLocalMail() throws Exception {
        int dead = 500;
        submitInParallel(dead, 4, n -> "nobody" + n + "@" + BLACKHOLE, "");
        // Its first attempts time out (greeting never comes), then the destination is left alone.
        Await.until(Duration.ofSeconds(60), () -> blackhole.connections(), connections -> connections >= 5);

        String toHealthy = submit(List.of("friend@" + HEALTHY), "", "to a healthy domain");
        String local = submit(List.of(BOB), "", "local while a domain is dead");

        Await.until(Duration.ofSeconds(30), () -> healthy.transactionsCarrying(toHealthy), copies -> copies > 0);
        Await.until(Duration.ofSeconds(30), () -> inboxHas(BOB, local), found -> found);
        assertThat(queuedFor(BLACKHOLE)).as("mail for the dead destination, still queued").isEqualTo(dead);
        assertThat(blackhole.connections()).as("connections to the dead destination: no worker is stuck on it")
            .isLessThan(dead / 10);
        clearOutgoingQueue();
    }

    @Test
    @Order(3)
    void priorityAndDeferralSurviveAKillDashNine() throws Exception {
        String high = submit(List.of("vip@" + REFUSING), "X-Priority: 1\r\n", "high, deferred");
        String low = submit(List.of("news@" + REFUSING), "Precedence: bulk\r\n", "low, deferred");
        Map<String, JsonNode> before = Await.until(Duration.ofSeconds(40), PriorityRoutingIT::deferredToRefusing,
            mails -> mails.size() == 2 && mails.values().stream().allMatch(mail -> mail.path("attempts").asInt() == 1));

        postino.kill9();
        postino.start();

        Map<String, JsonNode> after = deferredToRefusing();
        assertThat(after.keySet()).as("mails in the outgoing queue after the restart").isEqualTo(before.keySet());
        for (Map.Entry<String, JsonNode> mail : before.entrySet()) {
            JsonNode restarted = after.get(mail.getKey());
            for (String field : List.of("priority", "attempts", "nextAttempt", "arrived", "lastError")) {
                assertThat(restarted.path(field)).as(field + " of " + mail.getKey() + " after the restart").isEqualTo(mail.getValue().path(field));
            }
        }
        assertThat(before.values().stream().map(mail -> mail.path("priority").asInt()))
            .as("priorities: the interactive message high, the bulk one low").containsExactlyInAnyOrder(9, 0);

        refusing.answerRcpt(rcpt -> "250 2.1.5 ok");
        postino.webAdminPost("/postino/outgoing/retry");
        Await.until(Duration.ofSeconds(30), () -> refusing.transactionsCarrying(high) + refusing.transactionsCarrying(low),
            copies -> copies == 2);
        assertThat(refusing.transactionsCarrying(high)).isEqualTo(1);
        assertThat(refusing.transactionsCarrying(low)).isEqualTo(1);
    }

    private interface Recipient {
        String of(int n);
    }

    /** {@code count} messages, one recipient each, over {@code sessions} authenticated connections at once. */
    private static void submitInParallel(int count, int sessions, Recipient recipient, String extraHeaders) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> senders = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                senders.add(pool.submit(() -> {
                    try (SmtpSession smtp = loggedIn()) {
                        for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                            String to = recipient.of(n);
                            smtp.send(ALICE, List.of(to), message(to, extraHeaders, "bulk " + n, MailFlowIT.newMessageId())).expect(250);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> sender : senders) {
                sender.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String submit(List<String> recipients, String extraHeaders, String subject) throws Exception {
        String messageId = MailFlowIT.newMessageId();
        try (SmtpSession smtp = loggedIn()) {
            smtp.send(ALICE, recipients, message(String.join(", ", recipients), extraHeaders, subject, messageId)).expect(250);
        }
        return messageId;
    }

    private static SmtpSession loggedIn() throws Exception {
        SmtpSession smtp = SmtpSession.connect(postino.port(587));
        smtp.ehlo().expect(250);
        smtp.startTls();
        smtp.ehlo().expect(250);
        smtp.authPlain(ALICE, PASSWORD).expect(235);
        return smtp;
    }

    private static String message(String to, String extraHeaders, String subject, String messageId) {
        return "From: " + ALICE + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + extraHeaders
            + "\r\n"
            + "Priority routing test.\r\n";
    }

    private static boolean inboxHas(String user, String messageId) throws Exception {
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), user, PASSWORD)) {
            imap.select("INBOX");
            return !imap.searchMessageId(messageId).isEmpty();
        }
    }

    private static long outgoingQueueSize() throws Exception {
        return JSON.readTree(postino.webAdmin("/postino/outgoing")).path("queueSize").asLong();
    }

    private static int queuedFor(String destination) throws Exception {
        for (JsonNode group : JSON.readTree(postino.webAdmin("/postino/outgoing")).path("destinations")) {
            if (group.path("domain").asText().equals(bare(destination))) {
                return group.path("count").asInt();
            }
        }
        return 0;
    }

    private static Map<String, JsonNode> deferredToRefusing() throws Exception {
        Map<String, JsonNode> mails = new HashMap<>();
        for (JsonNode group : JSON.readTree(postino.webAdmin("/postino/outgoing")).path("destinations")) {
            if (group.path("domain").asText().equals(bare(REFUSING))) {
                group.path("mails").forEach(mail -> mails.put(mail.path("name").asText(), mail));
            }
        }
        return mails;
    }

    /** The value of {@code name} in WebAdmin's Prometheus text; fails when it is missing. */
    private static double gauge(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not in GET /metrics");
    }

    /** How the queue listing names a domain-literal destination: James's Domain drops the brackets. */
    private static String bare(String domainLiteral) {
        return domainLiteral.substring(1, domainLiteral.length() - 1);
    }

    private static void clearOutgoingQueue() throws Exception {
        // Deliveries in flight may put mail back after a removal: remove until nothing is left.
        Await.until(Duration.ofSeconds(60), () -> {
            postino.webAdminDelete("/postino/outgoing?all=true");
            Thread.sleep(1000);
            return outgoingQueueSize();
        }, size -> size == 0);
    }
}
