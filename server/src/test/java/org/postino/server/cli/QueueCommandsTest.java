package org.postino.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

class QueueCommandsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T12:00:00Z"), ZoneOffset.UTC);

    /** What GET /postino/outgoing answers for two mails to example.com and a bounce to another.test. */
    private static final String OUTGOING = "{\"queue\":\"outgoing\",\"queueSize\":3,\"size\":3,\"complete\":true,"
        + "\"byPriority\":{\"9\":1,\"none\":2},\"destinations\":["
        + "{\"domain\":\"another.test\",\"count\":1,\"oldestAgeSeconds\":3600,\"byPriority\":{\"none\":1},\"mails\":["
        + "{\"name\":\"mail-bounce\",\"sender\":\"<>\",\"recipients\":[\"frank@another.test\"],"
        + "\"arrived\":\"2024-03-01T11:00:00Z\",\"ageSeconds\":3600,\"attempts\":0,\"lastError\":null,"
        + "\"nextAttempt\":\"2024-03-01T12:00:00Z\",\"priority\":null}]},"
        + "{\"domain\":\"example.com\",\"count\":2,\"oldestAgeSeconds\":7200,\"byPriority\":{\"9\":1,\"none\":1},\"mails\":["
        + "{\"name\":\"mail-old\",\"sender\":\"alice@postino.test\",\"recipients\":[\"bob@example.com\",\"carol@example.com\"],"
        + "\"arrived\":\"2024-03-01T10:00:00Z\",\"ageSeconds\":7200,\"attempts\":3,"
        + "\"lastError\":\"bob@example.com 4.4.1 (connection refused) at mx.example.com\","
        + "\"nextAttempt\":\"2024-03-01T12:20:00Z\",\"priority\":null},"
        + "{\"name\":\"mail-new\",\"sender\":\"dave@postino.test\",\"recipients\":[\"erin@example.com\"],"
        + "\"arrived\":\"2024-03-01T11:55:00Z\",\"ageSeconds\":300,\"attempts\":1,\"lastError\":null,"
        + "\"nextAttempt\":\"2024-03-01T12:05:00Z\",\"priority\":9}]}]}";

    private final Map<String, String[]> answers = new HashMap<>();
    private final List<String> requests = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private HttpServer webAdmin;
    private QueueCommands testee;

    @BeforeEach
    void setUp() throws IOException {
        webAdmin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webAdmin.createContext("/", exchange -> {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            requests.add(request);
            String[] answer = answers.getOrDefault(request, new String[] {"404", "{\"message\":\"no route\"}"});
            byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
            try (OutputStream stream = exchange.getResponseBody()) {
                stream.write(body);
            }
        });
        webAdmin.start();
        WebAdminClient client = new WebAdminClient(URI.create("http://127.0.0.1:" + webAdmin.getAddress().getPort()));
        testee = new QueueCommands(client, print(out), print(err), CLOCK);
    }

    @AfterEach
    void tearDown() {
        webAdmin.stop(0);
    }

    private void answer(String request, int status, String body) {
        answers.put(request, new String[] {String.valueOf(status), body});
    }

    @Test
    void queueShouldPrintEachQueueSizeThenTheOutgoingQueueByDestination() throws Exception {
        answer("GET /mailQueues", 200, "[\"spool\",\"outgoing\"]");
        answer("GET /mailQueues/spool", 200, "{\"name\":\"spool\",\"size\":0}");
        answer("GET /mailQueues/outgoing", 200, "{\"name\":\"outgoing\",\"size\":3}");
        answer("GET /postino/outgoing", 200, OUTGOING);

        assertThat(testee.run(List.of())).isZero();

        assertThat(text(out)).isEqualTo(String.join(System.lineSeparator(),
            "QUEUE                  MESSAGES",
            "spool                         0",
            "outgoing                      3",
            "",
            "Outgoing queue: 3 mails to 2 destinations; priority 9: 1, none: 2",
            "",
            "another.test: 1 mail, oldest 1h 0m; priority none: 1",
            "  mail-bounce",
            "    age 1h 0m, 0 attempts, next attempt now",
            "    from <> to frank@another.test",
            "",
            "example.com: 2 mails, oldest 2h 0m; priority 9: 1, none: 1",
            "  mail-old",
            "    age 2h 0m, 3 attempts, next attempt in 20m (2024-03-01T12:20:00Z)",
            "    from alice@postino.test to bob@example.com, carol@example.com",
            "    last error: bob@example.com 4.4.1 (connection refused) at mx.example.com",
            "  mail-new",
            "    age 5m, 1 attempt, next attempt in 5m (2024-03-01T12:05:00Z), priority 9",
            "    from dave@postino.test to erin@example.com",
            ""));
    }

    @Test
    void queueShouldSayWhenTheOutgoingQueueIsEmpty() throws Exception {
        answer("GET /mailQueues", 200, "[]");
        answer("GET /postino/outgoing", 200, "{\"queue\":\"outgoing\",\"size\":0,\"destinations\":[]}");

        assertThat(testee.run(List.of())).isZero();

        assertThat(text(out)).endsWith("Outgoing queue: empty" + System.lineSeparator());
    }

    @Test
    void queueShouldSayHowManyMailsAreListedWhenTheQueueHoldsMoreThanBrowsingHandsOut() throws Exception {
        answer("GET /mailQueues", 200, "[]");
        answer("GET /postino/outgoing", 200, "{\"queue\":\"outgoing\",\"queueSize\":25000,\"size\":1,\"complete\":false,"
            + "\"byPriority\":{\"0\":1},\"destinations\":[{\"domain\":\"example.com\",\"count\":1,\"oldestAgeSeconds\":60,"
            + "\"byPriority\":{\"0\":1},\"mails\":[]}]}");

        assertThat(testee.run(List.of())).isZero();

        assertThat(text(out)).contains("Outgoing queue: 25000 mails (1 listed below) to 1 destination; priority 0: 1"
            + System.lineSeparator() + System.lineSeparator() + "example.com: 1 mail, oldest 1m; priority 0: 1");
    }

    @Test
    void ageShouldUseTwoUnitsAtMost() {
        assertThat(OutgoingQueueListing.age(45)).isEqualTo("45s");
        assertThat(OutgoingQueueListing.age(12 * 60 + 5)).isEqualTo("12m");
        assertThat(OutgoingQueueListing.age(2 * 3600 + 5 * 60)).isEqualTo("2h 5m");
        assertThat(OutgoingQueueListing.age(3 * 86400 + 4 * 3600 + 59)).isEqualTo("3d 4h");
    }

    @Test
    void retryShouldRetryEverythingWithoutArguments() throws Exception {
        answer("POST /postino/outgoing/retry", 200, "{\"selected\":3,\"retried\":3}");

        assertThat(testee.run(List.of("retry"))).isZero();

        assertThat(text(out)).isEqualTo("3 mails due now" + System.lineSeparator());
    }

    @Test
    void retryShouldSayWhichMailsWereDueAlready() throws Exception {
        answer("POST /postino/outgoing/retry?domain=example.com", 200, "{\"selected\":3,\"retried\":2}");

        assertThat(testee.run(List.of("retry", "example.com"))).isZero();

        assertThat(text(out)).isEqualTo("2 mails due now; 1 of the 3 selected were due already" + System.lineSeparator());
    }

    @Test
    void retryByNameShouldEncodeTheName() throws Exception {
        answer("POST /postino/outgoing/retry?name=Mail%201", 200, "{\"selected\":1,\"retried\":1}");

        assertThat(testee.run(List.of("retry", "--name", "Mail 1"))).isZero();

        assertThat(requests).containsExactly("POST /postino/outgoing/retry?name=Mail%201");
    }

    @Test
    void deleteShouldRequireATarget() {
        PostinoAdmin admin = new PostinoAdmin(new WebAdminClient(URI.create("http://127.0.0.1:"
            + webAdmin.getAddress().getPort())), print(out));

        assertThat(admin.run(List.of("queue", "delete"))).isEqualTo(2);

        assertThat(requests).isEmpty();
    }

    @Test
    void deleteAllShouldAskForAll() throws Exception {
        answer("DELETE /postino/outgoing?all=true", 200, "{\"removed\":3}");

        assertThat(testee.run(List.of("delete", "--all"))).isZero();

        assertThat(text(out)).isEqualTo("3 mails deleted" + System.lineSeparator());
    }

    @Test
    void deleteOfAnUnknownMailShouldReportTheServersMessage() throws Exception {
        answer("DELETE /postino/outgoing?name=mail-x", 404,
            "{\"statusCode\":404,\"type\":\"notFound\",\"message\":\"No mail named 'mail-x' is waiting in the outgoing queue\"}");

        assertThat(testee.run(List.of("delete", "--name", "mail-x"))).isEqualTo(1);

        assertThat(text(err)).isEqualTo("postino: refused (HTTP 404): No mail named 'mail-x' is waiting in the outgoing queue"
            + System.lineSeparator());
    }

    @Test
    void returnShouldPostTheName() throws Exception {
        answer("POST /postino/outgoing/return?name=mail-old", 200, "{\"name\":\"mail-old\",\"removed\":1,\"noticesSent\":1}");

        assertThat(testee.run(List.of("return", "--name", "mail-old"))).isZero();

        assertThat(text(out)).isEqualTo("mail-old returned to its sender" + System.lineSeparator());
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
