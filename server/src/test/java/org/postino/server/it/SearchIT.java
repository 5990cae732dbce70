package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Search in the built distribution, on its embedded OpenSearch node: mail delivered over SMTP is
 * found by IMAP SEARCH with inflected Italian words, words without their accents, words of a PDF
 * attachment and the attachment's file name; the WebAdmin reindex task reports its progress.
 */
class SearchIT {

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
    void italianMailIsFoundByInflectedWordsAccentlessWordsAttachmentTextAndFileName() throws Exception {
        String italian = newMessageId();
        String other = newMessageId();
        deliver(italianWithPdf(italian));
        deliver(plain(other, "Quarterly numbers", "The figures for the third quarter are attached below."));

        // "messaggi" finds "messaggio", "perche" finds "perché", "arancia" finds "arance" (in the PDF only)
        assertThat(searchUntilFound("TEXT messaggi")).containsExactly(italian);
        assertThat(search("TEXT perche")).containsExactly(italian);
        assertThat(search("TEXT arancia")).containsExactly(italian);
        assertThat(search("TEXT preventivo-marzo.pdf")).containsExactly(italian);
        assertThat(search("BODY quarter")).containsExactly(other);
        assertThat(search("TEXT zanzibar")).isEmpty();
        assertThat(search("SUBJECT consegna")).containsExactly(italian);
        assertThat(search("FROM mario")).containsExactly(italian);
    }

    @Test
    void jmapEmailQueryWithATextFilterFindsItToo() throws Exception {
        String italian = newMessageId();
        deliver(italianWithPdf(italian));
        String bare = italian.substring(1, italian.length() - 1);
        JmapClient jmap = new JmapClient(postino.jmapPort(), ALICE, PASSWORD);

        // the same index as IMAP: inflections, accents; "text" is addresses, subject and body (RFC 8621),
        // "body" adds attachments (their text and file names)
        assertThat(Await.until(Duration.ofSeconds(90), () -> jmap.messageIdsOf(jmap.queryText("messaggi")),
            ids -> ids.contains(bare))).contains(bare);
        assertThat(jmap.messageIdsOf(jmap.queryText("perche"))).contains(bare);
        assertThat(jmap.messageIdsOf(jmap.query("body", "arancia"))).contains(bare);
        assertThat(jmap.messageIdsOf(jmap.query("body", "preventivo-marzo.pdf"))).contains(bare);
        assertThat(jmap.messageIdsOf(jmap.query("from", "mario"))).contains(bare);
        assertThat(jmap.messageIdsOf(jmap.queryText("zanzibar"))).isEmpty();
    }

    @Test
    void jmapListensOnlyOverTlsAndOnlyForValidCredentials() throws Exception {
        java.net.http.HttpClient plain = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        java.net.http.HttpRequest clearText = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + postino.jmapPort() + "/jmap/session"))
            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((ALICE + ":" + PASSWORD).getBytes()))
            .timeout(Duration.ofSeconds(10)).build();
        // no HTTP answer at all in clear text: the password never travels unencrypted to a listening handler
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.send(clearText, java.net.http.HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(java.io.IOException.class);

        assertThat(new JmapClient(postino.jmapPort(), ALICE, "wrong password").get("/jmap/session").statusCode()).isEqualTo(401);
        assertThat(new JmapClient(postino.jmapPort(), "nobody@example.com", PASSWORD).get("/jmap/session").statusCode()).isEqualTo(401);
        assertThat(new JmapClient(postino.jmapPort(), ALICE, PASSWORD).get("/jmap/session").statusCode()).isEqualTo(200);

        // password guessing over JMAP meets the webmail sign-in's limit: 5 failures per user name in 5 minutes
        JmapClient guesser = new JmapClient(postino.jmapPort(), "guessed@example.com", "guess");
        for (int i = 0; i < 5; i++) {
            assertThat(guesser.get("/jmap/session").statusCode()).isEqualTo(401);
        }
        java.net.http.HttpResponse<String> limited = guesser.get("/jmap/session");
        assertThat(limited.statusCode()).isEqualTo(401);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(new JmapClient(postino.jmapPort(), ALICE, PASSWORD).get("/jmap/session").statusCode()).isEqualTo(200);
    }

    @Test
    void webAdminReindexRebuildsTheIndexAndReportsProgress() throws Exception {
        String id = newMessageId();
        deliver(plain(id, "Reindex me", "a message about lighthouses"));
        assertThat(searchUntilFound("TEXT lighthouses")).containsExactly(id);

        String task = postino.webAdminStartTask("/mailboxes?task=reIndex");
        String taskId = task.replaceAll(".*\"taskId\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        String done = postino.webAdmin("/tasks/" + taskId + "/await?timeout=2minutes");
        assertThat(done).contains("\"status\":\"completed\"");
        assertThat(done).containsPattern("\"successfullyReprocessedMailCount\":[1-9]");
        assertThat(done).contains("\"failedReprocessedMailCount\":0");

        assertThat(searchUntilFound("TEXT lighthouses")).containsExactly(id);
    }

    @Test
    void mailDeliveredWhileTheNodeIsDownBecomesSearchableOnceItIsBack() throws Exception {
        String before = newMessageId();
        deliver(plain(before, "Before the crash", "notes about windmills"));
        assertThat(searchUntilFound("TEXT windmills")).containsExactly(before);

        ProcessHandle node = searchNode();
        node.destroyForcibly();
        node.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        List<String> during = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = newMessageId();
            deliver(plain(id, "During the outage " + i, "notes about tramways"));
            during.add(id);
        }
        // not lost: delivered into the mailbox while the index was down
        Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
                imap.select("INBOX");
                return imap.allMessageIds();
            }
        }, ids -> ids.containsAll(during));
        // the server restarts its node and the index catches up, with no one asking
        List<String> found = Await.until(Duration.ofSeconds(180), () -> {
            try {
                return search("TEXT tramways");
            } catch (java.io.IOException e) {
                return List.of();
            }
        }, ids -> ids.size() == during.size());
        assertThat(found).containsExactlyInAnyOrderElementsOf(during);
        assertThat(search("TEXT windmills")).containsExactly(before);
        assertThat(searchNode().pid()).isNotEqualTo(node.pid());
    }

    @Test
    void theIndexOutlivesARestartWithoutAReindex() throws Exception {
        String id = newMessageId();
        deliver(plain(id, "Kept", "a message about glaciers"));
        assertThat(searchUntilFound("TEXT glaciers")).containsExactly(id);

        postino.stop();
        postino.start();

        List<String> found = Await.until(Duration.ofSeconds(120), () -> {
            try {
                return search("TEXT glaciers");
            } catch (java.io.IOException e) {
                return List.of();
            }
        }, ids -> !ids.isEmpty());
        assertThat(found).containsExactly(id);
        String log = Await.until(Duration.ofSeconds(60),
            () -> java.nio.file.Files.readString(postino.home().resolve("log/postino.log")),
            text -> text.split("Search index: start-up check of", -1).length - 1 >= 2);
        String lastStart = log.substring(log.lastIndexOf("Search index: start-up check of"));
        assertThat(lastStart.lines().findFirst().orElseThrow()).endsWith(", 0 to catch up");
        assertThat(lastStart).doesNotContain("fell behind");
    }

    /** The embedded OpenSearch node: a child process of the server. */
    private static ProcessHandle searchNode() throws Exception {
        long pid = Long.parseLong(java.nio.file.Files.readString(postino.home().resolve("run/postino.pid")).trim());
        return Await.until(Duration.ofSeconds(60), () -> ProcessHandle.of(pid).orElseThrow().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("org.postino.opensearch.node.NodeMain"))
                .findFirst(), java.util.Optional::isPresent)
            .orElseThrow();
    }

    private static void deliver(String message) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.send("mario.rossi@fornitore.test", List.of(ALICE), message).expect(250);
        }
    }

    /** Waits for delivery and indexing, then answers the search as Message-IDs. */
    private static List<String> searchUntilFound(String criteria) throws Exception {
        return Await.until(Duration.ofSeconds(90), () -> search(criteria), found -> !found.isEmpty());
    }

    private static List<String> search(String criteria) throws Exception {
        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.select("INBOX");
            return messageIds(imap, imap.ok("SEARCH " + criteria));
        }
    }

    /** The Message-IDs of the messages an untagged "* SEARCH" line lists, in its order. */
    static List<String> messageIds(ImapSession imap, List<String> untagged) throws java.io.IOException {
        List<String> ids = new ArrayList<>();
        for (String line : untagged) {
            if (!line.startsWith("* SEARCH")) {
                continue;
            }
            for (String number : line.substring("* SEARCH".length()).trim().split(" ")) {
                if (number.isEmpty()) {
                    continue;
                }
                for (String header : imap.ok("FETCH " + number + " (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")) {
                    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("<([^>]+)>").matcher(header);
                    if (matcher.find()) {
                        ids.add("<" + matcher.group(1) + ">");
                    }
                }
            }
        }
        return ids;
    }

    static String newMessageId() {
        return "<" + UUID.randomUUID() + "@search.test>";
    }

    static String plain(String messageId, String subject, String body) {
        return "From: Someone <someone@elsewhere.test>\r\n"
            + "To: " + ALICE + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "\r\n"
            + body + "\r\n";
    }

    static String italianWithPdf(String messageId) throws Exception {
        String body = "Buongiorno,\r\nle invio il messaggio con il preventivo, perché la consegna è prevista a marzo.\r\n";
        return "From: Mario Rossi <mario.rossi@fornitore.test>\r\n"
            + "To: " + ALICE + "\r\n"
            + "Subject: Preventivo per la consegna\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0100\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "\r\n"
            + "--b1\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + Base64.getMimeEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "\r\n"
            + "--b1\r\n"
            + "Content-Type: application/pdf; name=\"preventivo-marzo.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"preventivo-marzo.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + Base64.getMimeEncoder().encodeToString(pdf("Fornitura di arance siciliane, consegna a marzo")) + "\r\n"
            + "--b1--\r\n";
    }

    static byte[] pdf(String text) throws Exception {
        try (PDDocument document = new PDDocument()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(PDType1Font.HELVETICA, 12);
                content.newLineAtOffset(72, 700);
                content.showText(text);
                content.endText();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        }
    }
}
