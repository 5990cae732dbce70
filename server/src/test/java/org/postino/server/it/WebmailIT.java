package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The webmail in a real browser against the built distribution: headless Chromium (Debian's, at /usr/bin/chromium
 * or $CHROMIUM) driven by the node scripts of webmail/e2e through playwright-core, which the webmail module's
 * {@code npm ci} installed. Mail arrives over SMTP; the scripts read, reply, search, write, move and delete, and open
 * a corpus of hostile HTML messages; what they did is then checked over IMAP.
 *
 * <p>Node 20+ and Chromium are required: without them the class fails (it does not skip). {@code .ci/run} installs
 * Chromium. With {@code -Dpostino.webmail.screenshots=DIR} the run also takes the README's screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebmailIT {

    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String ANNA = "anna.ferri@example.com";
    private static final String PASSWORD = "correct horse";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    private static Distribution postino;
    private static Path webmail;
    private static Path artifacts;
    private static List<Path> corpus;
    private static Running hostileRun;
    private static Running mailRun;

    // the mail flow's messages, unique to this run
    private static final String TAG = UUID.randomUUID().toString().substring(0, 8);
    private static final String SEARCH_WORD = "quokka" + TAG;
    private static final String READ_SUBJECT = "Lighthouse schedule " + TAG;
    private static final String MOVE_SUBJECT = "Quarterly figures " + TAG;
    private static final String DELETE_SUBJECT = "Old newsletter " + TAG;
    private static final String NEW_SUBJECT = "Figures " + TAG;
    private static final String REPLY_TEXT = "Tuesday works for me, " + TAG + ".";
    private static final String READ_ID = "<read-" + TAG + "@webmail.test>";
    private static final String MOVE_ID = "<move-" + TAG + "@webmail.test>";
    private static final String DELETE_ID = "<delete-" + TAG + "@webmail.test>";

    /**
     * One server for the class. The two browser scripts run side by side (different users), each test method then
     * waits for its own: the suite takes about as long as the longer of the two.
     */
    @BeforeAll
    static void startServerAndBrowsers() throws Exception {
        webmail = Path.of(System.getProperty("postino.webmail.dir", "../webmail")).toAbsolutePath().normalize();
        artifacts = Path.of(System.getProperty("postino.webmail.artifacts", "target/webmail-e2e")).toAbsolutePath();
        Files.createDirectories(artifacts);
        requireBrowserTools();
        long started = System.nanoTime();
        postino = Distribution.install();
        postino.start();
        // through WebAdmin: each bin/postino admin command would start a JVM of its own
        webAdminPut("/domains/example.com", "");
        addUser(ALICE);
        addUser(BOB);
        System.out.printf("WebmailIT: server up with two users in %d s%n", (System.nanoTime() - started) / 1_000_000_000);

        // Bob receives the hostile corpus: each file as the body, and again as an attachment
        try (Stream<Path> files = Files.list(webmail.resolve("e2e/hostile"))) {
            corpus = files.filter(p -> p.getFileName().toString().matches("\\d\\d-.*\\.(html|txt)")).sorted().toList();
        }
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(10);
        List<String> hostileIds = new ArrayList<>();
        for (Path file : corpus) {
            String id = "<" + UUID.randomUUID() + "@hostile.test>";
            deliver("mallory@evil.test", BOB, hostileMessage(id, file));
            hostileIds.add(id);
        }
        // Alice receives a message from Bob to read, reply to and find, and two to move and delete
        deliver(BOB, ALICE, plain(READ_ID, "Bob <" + BOB + ">", ALICE, READ_SUBJECT,
            "Hello Alice,\r\nthe keeper inspects the lamp on Tuesday; bring the " + SEARCH_WORD + " forms.\r\nBob"));
        deliver(BOB, ALICE, plain(MOVE_ID, "Bob <" + BOB + ">", ALICE, MOVE_SUBJECT, "Numbers attached soon."));
        deliver("news@elsewhere.test", ALICE, plain(DELETE_ID, "Newsletter <news@elsewhere.test>", ALICE, DELETE_SUBJECT,
            "Unsubscribe anytime."));
        awaitInbox(BOB, hostileIds);
        hostileRun = Running.start("hostile.mjs", Map.of("USER1", BOB, "PASS1", PASSWORD));

        awaitInbox(ALICE, List.of(READ_ID, MOVE_ID, DELETE_ID));
        // the browser searches once: the index must already have the message
        JmapClient jmap = new JmapClient(postino.jmapPort(), ALICE, PASSWORD);
        String bareReadId = READ_ID.substring(1, READ_ID.length() - 1);
        Await.until(Duration.ofSeconds(120), () -> jmap.messageIdsOf(jmap.queryText(SEARCH_WORD)), found -> found.contains(bareReadId));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("USER1", ALICE);
        env.put("PASS1", PASSWORD);
        env.put("USER2", BOB);
        env.put("READ_SUBJECT", READ_SUBJECT);
        env.put("SEARCH_WORD", SEARCH_WORD);
        env.put("MOVE_SUBJECT", MOVE_SUBJECT);
        env.put("DELETE_SUBJECT", DELETE_SUBJECT);
        env.put("REPLY_TEXT", REPLY_TEXT);
        env.put("NEW_SUBJECT", NEW_SUBJECT);
        mailRun = Running.start("mail.mjs", env);
    }

    @AfterAll
    static void stopServer() throws Exception {
        for (Running run : new Running[] {hostileRun, mailRun}) {
            if (run != null) {
                run.kill();
            }
        }
        if (postino != null) {
            postino.close();
        }
    }

    private static void addUser(String address) throws Exception {
        webAdminPut("/users/" + address, JSON.writeValueAsString(Map.of("password", PASSWORD)));
    }

    private static void webAdminPut(String path, String body) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + postino.webAdminPort() + path))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT " + path + ": " + response.body()).isIn(200, 204);
    }

    /** Node 20 or later, the webmail's installed playwright-core, and a Chromium binary: a missing one fails the class. */
    private static void requireBrowserTools() throws Exception {
        String version;
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } catch (IOException e) {
            throw new AssertionError("WebmailIT needs node (20 or later) on the PATH: " + e.getMessage(), e);
        }
        Matcher major = Pattern.compile("^v(\\d+)\\.").matcher(version);
        assertThat(major.find() && Integer.parseInt(major.group(1)) >= 20)
            .as("node 20 or later on the PATH (found %s)", version).isTrue();
        assertThat(webmail.resolve("e2e/mail.mjs")).as("the webmail module's e2e scripts").exists();
        assertThat(webmail.resolve("node_modules/playwright-core/package.json"))
            .as("playwright-core, installed by the webmail module's npm ci (build the reactor, not the server alone)").exists();
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(Files.isExecutable(chromium))
            .as("Chromium at %s (apt-get install -y chromium, or set CHROMIUM); .ci/run installs it", chromium).isTrue();
    }

    @Test
    @Order(1)
    void hostileHtmlRunsNothingInTheWebmail() throws Exception {
        JsonNode report = hostileRun.finish();

        JsonNode items = report.get("items");
        assertThat(items).as("items of %s", report).hasSize(corpus.size());
        for (JsonNode item : items) {
            String name = item.get("name").asText();
            assertThat(item.get("controlTrips").asInt()).as("%s trips its tripwires when rendered raw", name).isPositive();
            assertThat(item.get("webmailTrips")).as("%s in the webmail", name).isNotNull().isEmpty();
            assertThat(item.get("unsafeMarkup")).as("%s as rendered by the server", name).isNotNull().isEmpty();
        }
    }

    @Test
    @Order(2)
    void readReplySearchWriteMoveAndDeleteInTheBrowser() throws Exception {
        JsonNode report = mailRun.finish();
        assertThat(report.get("readMessage").get("text").asText()).contains(SEARCH_WORD);

        // the reply reached Bob, threaded under the original, with the text typed in the browser and the quote
        String reply = awaitMessage(BOB, "INBOX", "Re: " + READ_SUBJECT);
        assertThat(reply).containsPattern("(?im)^In-Reply-To:\\s*" + Pattern.quote(READ_ID));
        assertThat(reply).containsPattern("(?im)^References:.*" + Pattern.quote(READ_ID));
        assertThat(reply).containsPattern("(?im)^From:.*" + Pattern.quote(ALICE));
        assertThat(unfold(reply)).contains(REPLY_TEXT).contains("> the keeper inspects the lamp on Tuesday");
        // the message written with an attachment, saved as a draft and sent from Drafts
        String written = awaitMessage(BOB, "INBOX", NEW_SUBJECT);
        // James names the part in Content-Type (name="=?US-ASCII?Q?figures.csv?="), not in Content-Disposition
        assertThat(written).containsPattern("(?i)name=\"?(=\\?US-ASCII\\?Q\\?)?figures\\.csv");
        assertThat(decodedParts(written)).contains("Q2,140");

        try (ImapSession imap = ImapSession.connectTls(postino.port(993), ALICE, PASSWORD)) {
            imap.select("Sent");
            assertThat(imap.ok("SEARCH SUBJECT \"Re: " + READ_SUBJECT + "\"")).anyMatch(line -> line.matches("\\* SEARCH \\d+.*"));
            assertThat(imap.ok("SEARCH SUBJECT \"" + NEW_SUBJECT + "\"")).anyMatch(line -> line.matches("\\* SEARCH \\d+.*"));
            imap.select("Drafts");
            assertThat(imap.ok("SEARCH SUBJECT \"" + NEW_SUBJECT + "\"")).as("the draft left Drafts").noneMatch(line -> line.matches("\\* SEARCH \\d+.*"));
            imap.select("Archive");
            assertThat(imap.searchMessageId(MOVE_ID)).as("moved to Archive").hasSize(1);
            imap.select("INBOX");
            assertThat(imap.searchMessageId(MOVE_ID)).as("no longer in the inbox").isEmpty();
            assertThat(imap.searchMessageId(DELETE_ID)).as("deleted from the inbox").isEmpty();
            assertThat(imap.searchMessageId(READ_ID)).as("read, replied to, still there").hasSize(1);
            assertThat(String.join("\n", imap.ok("FETCH " + imap.searchMessageId(READ_ID).get(0) + " (FLAGS)")))
                .as("opened and answered in the browser").contains("\\Seen").contains("\\Answered");
            imap.select("Trash");
            assertThat(imap.searchMessageId(DELETE_ID)).as("deleted forever from Trash").isEmpty();
        }

        String screenshots = System.getProperty("postino.webmail.screenshots");
        if (screenshots != null && !screenshots.isBlank()) {
            takeScreenshots(Path.of(screenshots).toAbsolutePath());
        }
    }

    // ---- screenshots (only with -Dpostino.webmail.screenshots=DIR)

    private static void takeScreenshots(Path directory) throws Exception {
        addUser(ANNA);
        List<String> ids = new ArrayList<>();
        String[][] mail = {
            {"Marco Bianchi <marco.bianchi@example.org>", "Riunione di giovedì", "Ciao Anna,\r\nconfermo la riunione di giovedì alle 10 in sala Verdi. Porto io i dati del trimestre.\r\n\r\nA presto,\r\nMarco"},
            {"GitHub <noreply@github.example>", "[postino] Pull request #42 merged", "Your pull request \"Webmail: keyboard navigation\" was merged into main."},
            {"Laura Conti <laura@studio-conti.example>", "Preventivo ristrutturazione", "Buongiorno,\r\nin allegato il preventivo aggiornato. Resto a disposizione per chiarimenti.\r\n\r\nCordiali saluti,\r\nLaura Conti"},
            {"Sam Carter <sam@northwind.example>", "Quarterly report draft", "Hi Anna,\r\nhere is the first draft of the quarterly report. Comments welcome before Friday.\r\n\r\nSam"},
            {"Biblioteca civica <prestiti@biblioteca.example>", "Promemoria restituzione", "Gentile utente, il prestito di \"Il nome della rosa\" scade il 3 dicembre."},
        };
        for (String[] message : mail) {
            String id = "<" + UUID.randomUUID() + "@screenshots.test>";
            deliver("sender@example.org", ANNA, plain(id, message[0], "Anna Ferri <" + ANNA + ">", message[1], message[2]));
            ids.add(id);
        }
        String featured = "<" + UUID.randomUUID() + "@screenshots.test>";
        deliver("giulia@design.example", ANNA, htmlMessage(featured, "Giulia Russo <giulia@design.example>", "Anna Ferri <" + ANNA + ">",
            "Nuovo logo: le tre proposte",
            "<div style=\"font-family:Georgia,serif;color:#222\"><p>Ciao Anna,</p><p>ecco le tre proposte per il nuovo logo, come "
                + "discusso lunedì:</p><ol><li><b>Busta</b> – la più semplice, funziona anche a 16 px;</li><li><b>Francobollo</b> – "
                + "più calda, con il bordo dentellato;</li><li><b>Piccione</b> – la più giocosa.</li></ol><p style=\"background:#f3f0e8;"
                + "padding:8px;border-left:4px solid #c49a3a\">Preferirei chiudere entro venerdì: fammi sapere quale ti convince di più."
                + "</p><p>Giulia</p><p><img src=\"https://images.example/logo-preview.png\" alt=\"anteprima\" width=\"120\"></p></div>"));
        ids.add(featured);
        awaitInbox(ANNA, ids);
        Files.createDirectories(directory);
        Running.start("screenshots.mjs", Map.of("USER1", ANNA, "PASS1", PASSWORD, "SCREENSHOT_DIR", directory.toString(),
            "OPEN_SUBJECT", "Nuovo logo: le tre proposte")).finish();
    }

    // ---- running the node scripts

    /** A webmail/e2e script running in the background: its report once it is done. */
    private static final class Running {
        private final String name;
        private final Process process;
        private final Path out;
        private final Path err;
        private final long started = System.nanoTime();

        private Running(String name, Process process, Path out, Path err) {
            this.name = name;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** Starts webmail/e2e/NAME with the server's address and the given variables. */
        static Running start(String name, Map<String, String> variables) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("node", "e2e/" + name).directory(webmail.toFile());
            builder.environment().put("BASE_URL", "https://127.0.0.1:" + postino.jmapPort());
            builder.environment().put("E2E_ARTIFACTS", artifacts.toString());
            builder.environment().putAll(variables);
            Path out = artifacts.resolve(name + ".json");
            Path err = artifacts.resolve(name + ".log");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Process process = builder.start();
            process.getOutputStream().close();
            return new Running(name, process, out, err);
        }

        /** Waits for the script; its JSON report, after checking that it ran and every step passed. */
        JsonNode finish() throws Exception {
            if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
                throw new AssertionError("e2e/" + name + " did not finish in " + SCRIPT_TIMEOUT + "\n" + Files.readString(err));
            }
            String output = Files.readString(out).trim();
            String diagnostics = "e2e/" + name + " exited " + process.exitValue() + "\nreport: " + output + "\nstderr: "
                + Files.readString(err) + "\nserver log tail:\n" + postino.logTail();
            assertThat(output).as(diagnostics).isNotEmpty();
            JsonNode report = JSON.readTree(output.substring(output.lastIndexOf('\n') + 1));
            assertThat(report.path("setupError").asText("")).as(diagnostics).isEmpty();
            assertThat(process.exitValue()).as(diagnostics).isZero();
            assertThat(report.get("ok").asBoolean()).as(diagnostics).isTrue();
            System.out.printf("WebmailIT: e2e/%s, %d steps passed in %d s (Chromium %s)%n", name, report.get("steps").size(),
                (System.nanoTime() - started) / 1_000_000_000, report.path("browser").asText());
            return report;
        }

        void kill() {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    // ---- mail in and out

    private static void deliver(String from, String to, String message) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(postino.port(25))) {
            smtp.ehlo().expect(250);
            smtp.send(from, List.of(to), message).expect(250);
        }
    }

    private static void awaitInbox(String user, List<String> messageIds) throws Exception {
        Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), user, PASSWORD)) {
                imap.select("INBOX");
                return imap.allMessageIds();
            }
        }, found -> found.containsAll(messageIds));
    }

    /** The whole message (headers and body) with this subject in the mailbox, once it is there. */
    private static String awaitMessage(String user, String mailbox, String subject) throws Exception {
        return Await.until(Duration.ofSeconds(60), () -> {
            try (ImapSession imap = ImapSession.connectTls(postino.port(993), user, PASSWORD)) {
                imap.select(mailbox);
                for (String line : imap.ok("SEARCH SUBJECT \"" + subject + "\"")) {
                    Matcher number = Pattern.compile("^\\* SEARCH (\\d+)").matcher(line);
                    if (number.find()) {
                        return String.join("\n", imap.ok("FETCH " + number.group(1) + " (BODY.PEEK[])"));
                    }
                }
                return "";
            }
        }, message -> !message.isEmpty());
    }

    private static String unfold(String message) throws Exception {
        return decodedParts(message).replace("\r\n", "\n");
    }

    /** The decoded text of every part of a message as IMAP FETCH BODY[] returned it (attachments included). */
    private static String decodedParts(String fetched) throws Exception {
        String raw = fetched.substring(fetched.indexOf('\n') + 1);
        raw = raw.substring(0, Math.max(0, raw.lastIndexOf(')')));
        javax.mail.internet.MimeMessage message = new javax.mail.internet.MimeMessage(
            javax.mail.Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
        StringBuilder text = new StringBuilder();
        collectText(message, text);
        return text.toString();
    }

    private static void collectText(javax.mail.Part part, StringBuilder text) throws Exception {
        if (part.isMimeType("multipart/*")) {
            javax.mail.Multipart multipart = (javax.mail.Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                collectText(multipart.getBodyPart(i), text);
            }
            return;
        }
        Object content = part.getContent();
        if (content instanceof String string) {
            text.append(string).append('\n');
        } else if (content instanceof java.io.InputStream stream) {
            text.append(new String(stream.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
        }
    }

    private static String plain(String messageId, String from, String to, String subject, String body) {
        return "From: " + from + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + encodedWords(subject) + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "Date: " + date() + "\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + Base64.getMimeEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    /** A header value as RFC 2047 encoded words when it is not ASCII. */
    private static String encodedWords(String value) {
        try {
            return javax.mail.internet.MimeUtility.encodeText(value, "UTF-8", "Q");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String htmlMessage(String messageId, String from, String to, String subject, String html) {
        return plain(messageId, from, to, subject, html).replace("Content-Type: text/plain", "Content-Type: text/html");
    }

    /** One corpus file as the message body (text/html or text/plain) and again as an attachment of the same type. */
    private static String hostileMessage(String messageId, Path file) throws IOException {
        String name = file.getFileName().toString();
        String type = name.endsWith(".txt") ? "text/plain" : "text/html";
        String content = Base64.getMimeEncoder().encodeToString(Files.readAllBytes(file));
        return "From: Mallory <mallory@evil.test>\r\n"
            + "To: " + BOB + "\r\n"
            + "Subject: Hostile " + name.substring(0, name.lastIndexOf('.')) + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "Date: " + date() + "\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"hostile-boundary\"\r\n"
            + "\r\n"
            + "--hostile-boundary\r\n"
            + "Content-Type: " + type + "; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + content + "\r\n"
            + "--hostile-boundary\r\n"
            + "Content-Type: " + type + "; charset=UTF-8; name=\"" + name + "\"\r\n"
            + "Content-Disposition: attachment; filename=\"" + name + "\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + content + "\r\n"
            + "--hostile-boundary--\r\n";
    }

    private static String date() {
        return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
    }
}
