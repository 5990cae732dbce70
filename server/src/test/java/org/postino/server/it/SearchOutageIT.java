package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postino.extensions.search.embedded.EmbeddedOpenSearch;

/**
 * The distribution on an OpenSearch of the operator's (conf/opensearch.properties names it): the
 * test stops that OpenSearch, delivers mail, and starts it again. Mail keeps being delivered,
 * searches meanwhile answer NO (never an incomplete answer), and once OpenSearch is back the mail
 * becomes searchable with no one asking.
 */
class SearchOutageIT {

    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "correct horse";
    private static Distribution postino;
    private static EmbeddedOpenSearch cluster;

    @BeforeAll
    static void startServer() throws Exception {
        int port = Distribution.freePort();
        Path lib = Path.of(System.getProperty("postino.distribution")).resolve("lib/opensearch");
        cluster = EmbeddedOpenSearch.builder()
            .libDirectory(lib)
            .dataDirectory(Files.createTempDirectory("postino-it-cluster-"))
            .port(port)
            .heap("512m")
            .build();
        cluster.start();
        postino = Distribution.install();
        postino.writeConf("opensearch.properties", "opensearch.hosts=http://127.0.0.1:" + port + "\n"
            + "opensearch.index=mail-of-postino-it\n"
            + "opensearch.requestTimeoutSeconds=5\n"
            + "search.catchUpSeconds=2\n");
        postino.start();
        postino.admin("domain", "add", "example.com");
        postino.admin("user", "add", ALICE, PASSWORD);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (postino != null) {
            postino.close();
        }
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void mailDeliveredWhileOpenSearchIsStoppedIsSearchableOnceItIsStartedAgain() throws Exception {
        String before = SearchIT.newMessageId();
        deliver(SearchIT.plain(before, "Before", "a note about lighthouses"));
        assertThat(Await.until(Duration.ofSeconds(90), () -> search("TEXT lighthouses").ids, found -> !found.isEmpty()))
            .containsExactly(before);

        cluster.stop();
        List<String> during = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = SearchIT.newMessageId();
            deliver(SearchIT.plain(id, "During " + i, "a note about canals"));
            during.add(id);
        }
        Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
                imap.select("INBOX");
                return imap.allMessageIds();
            }
        }, ids -> ids.containsAll(during));
        Result meanwhile = search("TEXT canals");
        assertThat(meanwhile.status).as("a search while OpenSearch is down").startsWith("NO");
        com.fasterxml.jackson.databind.JsonNode jmapMeanwhile = new JmapClient(postino.jmapPort(), ALICE, PASSWORD).queryText("canals");
        assertThat(jmapMeanwhile.get(0).asText()).as("JMAP Email/query while OpenSearch is down: " + jmapMeanwhile).isEqualTo("error");

        cluster.start();
        List<String> found = Await.until(Duration.ofSeconds(120), () -> search("TEXT canals").ids,
            ids -> ids.size() == during.size());
        assertThat(found).containsExactlyInAnyOrderElementsOf(during);
        assertThat(search("TEXT lighthouses").ids).containsExactly(before);
    }

    private static void deliver(String message) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.send("someone@elsewhere.test", List.of(ALICE), message).expect(250);
        }
    }

    record Result(String status, List<String> ids) {
    }

    private static Result search(String criteria) throws Exception {
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.select("INBOX");
            ImapSession.Response response = imap.run("SEARCH " + criteria);
            List<String> ids = response.status.startsWith("OK") ? SearchIT.messageIds(imap, response.untagged) : List.of();
            return new Result(response.status, ids);
        }
    }
}
