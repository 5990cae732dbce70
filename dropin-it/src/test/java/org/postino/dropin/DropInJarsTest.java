package org.postino.dropin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the stock James memory server with Postino's jars in its {@code extensions-jars/} folder, sends one bulk
 * and one ordinary message over SMTP and reads them back over POP3.
 */
class DropInJarsTest {

    private static final String DOMAIN = "postino.test";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String PASSWORD = "secret";
    private static final String TRACE_HEADER = "X-Postino-Priority";
    private static final List<String> CONF_FILES = List.of(
        "dnsservice.xml", "domainlist.xml", "usersrepository.xml", "recipientrewritetable.xml",
        "mailrepositorystore.xml", "mailetcontainer.xml", "listeners.xml",
        "smtpserver.xml", "pop3server.xml", "imapserver.xml", "lmtpserver.xml", "managesieveserver.xml");
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path workingDirectory;

    private static GuiceJamesServer server;
    private static int smtpPort;
    private static int pop3Port;

    @BeforeAll
    static void startServer() throws Exception {
        smtpPort = freePort();
        pop3Port = freePort();
        writeConfiguration(workingDirectory.resolve("conf"), Map.of(
            "@SMTP_PORT@", String.valueOf(smtpPort),
            "@POP3_PORT@", String.valueOf(pop3Port)));
        copyExtensionsJars(workingDirectory.resolve("extensions-jars"));

        server = MemoryJamesServerMain.createServer(MemoryJamesConfiguration.builder()
            .workingDirectory(workingDirectory.toFile())
            .build());
        server.start();

        DataProbeImpl data = server.getProbe(DataProbeImpl.class);
        data.addDomain(DOMAIN);
        data.addUser(ALICE, PASSWORD);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void postinoClassesShouldNotBeOnTheTestClasspath() {
        ClassLoader testClassLoader = DropInJarsTest.class.getClassLoader();

        assertThatThrownBy(() -> Class.forName("org.postino.mailets.SetMailPriority", false, testClassLoader))
            .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.postino.matchers.IsBulk", false, testClassLoader))
            .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void bulkMailShouldBeTracedWithLowPriorityAndOtherMailLeftAlone() throws Exception {
        sendOverSmtp("bulk", "Precedence: bulk\r\n");
        sendOverSmtp("personal", "");

        List<MimeMessage> messages = awaitMessages(2);

        MimeMessage bulk = bySubject(messages, "bulk");
        MimeMessage personal = bySubject(messages, "personal");
        assertThat(bulk.getHeader(TRACE_HEADER)).containsExactly("0");
        assertThat(personal.getHeader(TRACE_HEADER)).isNull();
    }

    private static void sendOverSmtp(String subject, String extraHeaders) throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.connect(InetAddress.getLoopbackAddress(), smtpPort);
        try {
            assertThat(SMTPReply.isPositiveCompletion(smtp.getReplyCode())).as(smtp.getReplyString()).isTrue();
            assertThat(smtp.login("sender.example")).as(smtp.getReplyString()).isTrue();
            assertThat(smtp.setSender("newsletter@sender.example")).as(smtp.getReplyString()).isTrue();
            assertThat(smtp.addRecipient(ALICE)).as(smtp.getReplyString()).isTrue();
            String message = "From: newsletter@sender.example\r\n"
                + "To: " + ALICE + "\r\n"
                + "Subject: " + subject + "\r\n"
                + extraHeaders
                + "\r\n"
                + "Hello " + subject + "\r\n";
            assertThat(smtp.sendShortMessageData(message)).as(smtp.getReplyString()).isTrue();
            smtp.logout();
        } finally {
            smtp.disconnect();
        }
    }

    /** Delivery runs on the spooler's threads, after SMTP has answered: poll until the mailbox fills. */
    private static List<MimeMessage> awaitMessages(int count) throws Exception {
        Instant deadline = Instant.now().plus(DELIVERY_TIMEOUT);
        List<MimeMessage> messages = readOverPop3();
        while (messages.size() < count && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            messages = readOverPop3();
        }
        assertThat(messages).as("messages in %s's mailbox (last POP3 login: %s)", ALICE, lastLogin).hasSize(count);
        return messages;
    }

    private static String lastLogin = "";

    private static List<MimeMessage> readOverPop3() throws Exception {
        POP3Client pop3 = new POP3Client();
        pop3.connect(InetAddress.getLoopbackAddress(), pop3Port);
        try {
            // Stock James's POP3 creates INBOX at login; when the first delivery creates it at the same
            // moment, the login answers "-ERR Unexpected error accessing mailbox": not yet, poll again.
            boolean loggedIn = pop3.login(ALICE, PASSWORD);
            lastLogin = pop3.getReplyString();
            if (!loggedIn) {
                return List.of();
            }
            List<MimeMessage> messages = new ArrayList<>();
            for (POP3MessageInfo info : pop3.listMessages()) {
                messages.add(parse(retrieve(pop3, info.number)));
            }
            pop3.logout();
            return messages;
        } finally {
            pop3.disconnect();
        }
    }

    private static String retrieve(POP3Client pop3, int number) throws IOException {
        try (Reader reader = pop3.retrieveMessage(number)) {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[4096];
            for (int read = reader.read(buffer); read >= 0; read = reader.read(buffer)) {
                text.append(buffer, 0, read);
            }
            return text.toString();
        }
    }

    private static MimeMessage parse(String text) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MimeMessage bySubject(List<MimeMessage> messages, String subject) throws Exception {
        for (MimeMessage message : messages) {
            if (subject.equals(message.getSubject())) {
                return message;
            }
        }
        throw new AssertionError("no message with subject '" + subject + "' among " + messages.size());
    }

    private static void writeConfiguration(Path conf, Map<String, String> placeholders) throws IOException {
        Files.createDirectories(conf);
        for (String name : CONF_FILES) {
            String text;
            try (InputStream in = DropInJarsTest.class.getResourceAsStream("/dropin-conf/" + name)) {
                assertThat(in).as("test resource dropin-conf/%s", name).isNotNull();
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
                text = text.replace(placeholder.getKey(), placeholder.getValue());
            }
            Files.writeString(conf.resolve(name), text);
        }
    }

    /** Surefire points {@code postino.extensionsJars} at the folder maven-dependency-plugin copied the jars to. */
    private static void copyExtensionsJars(Path target) throws IOException {
        Path source = Paths.get(System.getProperty("postino.extensionsJars", "target/extensions-jars"));
        Files.createDirectories(target);
        List<String> copied = new ArrayList<>();
        try (Stream<Path> jars = Files.list(source)) {
            for (Path jar : (Iterable<Path>) jars.filter(path -> path.toString().endsWith(".jar"))::iterator) {
                Files.copy(jar, target.resolve(jar.getFileName()));
                copied.add(jar.getFileName().toString());
            }
        }
        assertThat(copied).as("jars copied from %s", source)
            .anyMatch(name -> name.startsWith("postino-mailets-"))
            .anyMatch(name -> name.startsWith("postino-matchers-"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
