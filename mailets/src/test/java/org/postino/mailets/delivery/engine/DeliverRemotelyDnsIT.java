package org.postino.mailets.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.DeliverRemotely;
import org.postino.mailets.delivery.fake.Dnsmasq;
import org.postino.mailets.delivery.fake.FakeMx;

import com.sun.mail.dsn.DeliveryStatus;
import com.sun.mail.dsn.MultipartReport;

/**
 * The whole engine routed by real DNS: a dnsmasq on 127.0.0.77:53 publishes MX, A, AAAA and null MX records, and fake
 * MX servers listen on port 25 of loopback addresses, as real ones would. Needs root (ports 53 and 25), the
 * {@code dnsmasq} binary of {@code dnsmasq-base}, and IPv6 on the loopback interface; without them the tests fail,
 * they never skip.
 */
class DeliverRemotelyDnsIT {

    private static final String DNS_ADDRESS = "127.0.0.77";
    private static final String MX1 = "127.0.0.2";
    private static final String MX2 = "127.0.0.3";
    private static final String V4_ONLY = "127.0.0.4";
    private static final String V6_ONLY = "::1";
    private static final String REPORTING_MTA = "postino.test";
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private static Dnsmasq dns;

    private final List<FakeMx> mxs = new ArrayList<>();
    private MemoryMailQueueFactory queues;
    private FakeMailContext context;
    private DeliverRemotely testee;

    @BeforeAll
    static void startDns() throws Exception {
        dns = Dnsmasq.start(DNS_ADDRESS, 53, List.of(
            "--local-ttl=60",
            // Every other name under .test does not exist (NXDOMAIN).
            "--local=/test/",
            "--mx-host=example.test,mx1.example.test,10",
            "--mx-host=example.test,mx2.example.test,20",
            "--host-record=mx1.example.test," + MX1,
            "--host-record=mx2.example.test," + MX2,
            "--host-record=v4only.test," + V4_ONLY,
            "--host-record=v6only.test," + V6_ONLY,
            "--mx-host=nullmx.test,.,0"));
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@local.test")).build();
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        testee = new DeliverRemotely(queues, Clock.systemUTC());
        // No "port": remote servers are reached on 25, as in production.
        testee.init(FakeMailetConfig.builder().mailetName("DeliverRemotely").mailetContext(context)
            .setProperty("dnsServers", DNS_ADDRESS + ":53")
            .setProperty("dnsTimeout", "2s")
            .setProperty("heloName", REPORTING_MTA)
            .setProperty("retrySchedule", "200ms")
            .setProperty("retryJitter", "0")
            .build());
    }

    @AfterEach
    void tearDown() throws IOException {
        testee.destroy();
        for (FakeMx mx : mxs) {
            mx.close();
        }
    }

    @Test
    void mailShouldGoToTheMostPreferredMx() throws Exception {
        FakeMx mx1 = mx(MX1);
        FakeMx mx2 = mx(MX2);

        testee.service(mail("x@example.test"));

        awaitDone(() -> !mx1.transactions().isEmpty());
        assertThat(mx1.transactions()).hasSize(1);
        assertThat(mx1.transactions().get(0).rcptTo).containsExactly("<x@example.test>");
        assertThat(mx1.transactions().get(0).data).contains("Subject: test");
        assertThat(mx2.connections()).isZero();
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void mailShouldGoToTheNextMxWhenTheFirstRefusesConnections() throws Exception {
        // Nothing listens on mx1's address: connection refused.
        FakeMx mx2 = mx(MX2);

        testee.service(mail("x@example.test"));

        awaitDone(() -> !mx2.transactions().isEmpty());
        assertThat(mx2.transactions()).hasSize(1);
        assertThat(mx2.transactions().get(0).rcptTo).containsExactly("<x@example.test>");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void mailShouldGoToTheNextMxWhenTheFirstGreetsWith421() throws Exception {
        FakeMx mx1 = mx(MX1).greeting("421 4.3.2 mx1 is shutting down");
        FakeMx mx2 = mx(MX2);

        testee.service(mail("x@example.test"));

        awaitDone(() -> !mx2.transactions().isEmpty());
        assertThat(mx1.connections()).isEqualTo(1);
        assertThat(mx1.transactions()).isEmpty();
        assertThat(mx2.transactions()).hasSize(1);
        assertThat(mx2.transactions().get(0).rcptTo).containsExactly("<x@example.test>");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void aDomainWithoutMxShouldBeReachedAtItsARecord() throws Exception {
        FakeMx host = mx(V4_ONLY);

        testee.service(mail("x@v4only.test"));

        awaitDone(() -> !host.transactions().isEmpty());
        assertThat(host.transactions()).hasSize(1);
        assertThat(host.transactions().get(0).rcptTo).containsExactly("<x@v4only.test>");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void aDomainWithoutMxShouldBeReachedAtItsAaaaRecord() throws Exception {
        FakeMx host = mx(V6_ONLY);

        testee.service(mail("x@v6only.test"));

        awaitDone(() -> !host.transactions().isEmpty());
        assertThat(host.transactions()).hasSize(1);
        assertThat(host.transactions().get(0).rcptTo).containsExactly("<x@v6only.test>");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void nullMxShouldFailAtOnceWith5110AndConnectNowhere() throws Exception {
        List<FakeMx> everyServer = List.of(mx(MX1), mx(MX2), mx(V4_ONLY), mx(V6_ONLY));

        testee.service(mail("x@nullmx.test"));

        awaitDone(() -> !context.getSentMails().isEmpty());
        assertThat(context.getSentMails()).hasSize(1);
        InternetHeaders recipient = singleFailedRecipient(context.getSentMails().get(0), "x@nullmx.test");
        assertThat(recipient.getHeader("Status", null)).isEqualTo("5.1.10");
        assertThat(recipient.getHeader("Remote-MTA", null)).isNull();
        assertThat(recipient.getHeader("Diagnostic-Code", null)).as("no server answered, so no SMTP diagnostic").isNull();
        assertThat(everyServer).allSatisfy(mx -> assertThat(mx.connections()).isZero());
    }

    @Test
    void nonExistentDomainShouldFailAtOnceWith512AndConnectNowhere() throws Exception {
        List<FakeMx> everyServer = List.of(mx(MX1), mx(MX2), mx(V4_ONLY), mx(V6_ONLY));

        testee.service(mail("x@nowhere.test"));

        awaitDone(() -> !context.getSentMails().isEmpty());
        assertThat(context.getSentMails()).hasSize(1);
        InternetHeaders recipient = singleFailedRecipient(context.getSentMails().get(0), "x@nowhere.test");
        assertThat(recipient.getHeader("Status", null)).isEqualTo("5.1.2");
        assertThat(recipient.getHeader("Remote-MTA", null)).isNull();
        assertThat(recipient.getHeader("Diagnostic-Code", null)).as("no server answered, so no SMTP diagnostic").isNull();
        assertThat(everyServer).allSatisfy(mx -> assertThat(mx.connections()).isZero());
    }

    @Test
    void aRejectionByTheMxShouldNameItByItsDnsNameInTheNotice() throws Exception {
        mx(MX1).rcptReply(rcpt -> "550 5.1.1 no such user");
        FakeMx mx2 = mx(MX2);

        testee.service(mail("nobody@example.test"));

        awaitDone(() -> !context.getSentMails().isEmpty());
        assertThat(context.getSentMails()).hasSize(1);
        InternetHeaders recipient = singleFailedRecipient(context.getSentMails().get(0), "nobody@example.test");
        assertThat(recipient.getHeader("Status", null)).isEqualTo("5.1.1");
        assertThat(recipient.getHeader("Remote-MTA", null)).isEqualTo("dns; mx1.example.test");
        assertThat(recipient.getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 550 5.1.1 no such user");
        assertThat(mx2.connections()).isZero();
    }

    @Test
    void aDomainWhereTlsIsRequiredShouldGetNothingInClearWhileOtherDomainsStillDo() throws Exception {
        testee.destroy();
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        testee = new DeliverRemotely(queues, Clock.systemUTC());
        testee.init(FakeMailetConfig.builder().mailetName("DeliverRemotely").mailetContext(context)
            .setProperty("dnsServers", DNS_ADDRESS + ":53")
            .setProperty("dnsTimeout", "2s")
            .setProperty("heloName", REPORTING_MTA)
            .setProperty("retrySchedule", "1h")
            .setProperty("domain.example.test.tls", "required")
            .build());
        FakeMx mx1 = mx(MX1);
        FakeMx v4only = mx(V4_ONLY);

        testee.service(mail("x@example.test"));
        testee.service(mail("y@v4only.test"));

        ManageableMailQueue queue = queues.getQueue(MailQueueName.of("outgoing")).orElseThrow();
        // Done when v4only.test has its mail and example.test's is back in the queue, deferred for an hour.
        await(() -> v4only.transactions().size() == 1 && mx1.connections() >= 1 && queueSize(queue) == 1);
        assertThat(mx1.transactions()).as("plaintext delivery to a required-TLS domain").isEmpty();
        assertThat(v4only.transactions().get(0).rcptTo).containsExactly("<y@v4only.test>");
        assertThat(context.getSentMails()).isEmpty();
    }

    private FakeMx mx(String address) {
        FakeMx mx;
        try {
            mx = FakeMx.start(address, 25);
        } catch (IOException e) {
            throw new AssertionError("cannot listen on [" + address + "]:25 (" + e.getMessage() + "); these tests need root"
                + " and the loopback addresses 127.0.0.0/8 and ::1 (see 'ip -6 addr show lo')", e);
        }
        mxs.add(mx);
        return mx;
    }

    private static Mail mail(String recipient) throws Exception {
        return FakeMail.builder().name("mail-" + System.nanoTime())
            .sender("sender@local.test")
            .recipient(new MailAddress(recipient))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body"))
            .build();
    }

    /**
     * The notice parsed back with com.sun.mail:dsn, from its bytes: addressed to the sender from the null
     * reverse-path, a multipart/report of type delivery-status reporting one failed recipient.
     *
     * @return that recipient's fields
     */
    private static InternetHeaders singleFailedRecipient(FakeMailContext.SentMail sent, String finalRecipient) throws Exception {
        assertThat(sent.getSender()).isNull();
        assertThat(sent.getRecipients()).containsExactly(new MailAddress("sender@local.test"));
        MimeMessage notice = reparse(sent.getMsg());
        ContentType type = new ContentType(notice.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        assertThat(notice.getContent()).isInstanceOf(MultipartReport.class);
        MultipartReport report = (MultipartReport) notice.getContent();
        assertThat(report.getReport()).isInstanceOf(DeliveryStatus.class);
        DeliveryStatus status = report.getDeliveryStatus();
        assertThat(status.getMessageDSN().getHeader("Reporting-MTA", null)).isEqualTo("dns; " + REPORTING_MTA);
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        InternetHeaders recipient = status.getRecipientDSN(0);
        assertThat(recipient.getHeader("Final-Recipient", null)).isEqualTo("rfc822; " + finalRecipient);
        assertThat(recipient.getHeader("Action", null)).isEqualTo("failed");
        assertThat(recipient.getHeader("Will-Retry-Until", null)).isNull();
        return recipient;
    }

    private static MimeMessage reparse(MimeMessage message) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        message.writeTo(bytes);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes.toByteArray()));
    }

    /**
     * Waits for the effect, then for the engine to be done with every mail: the outgoing queue counts mail waiting and
     * mail being worked on, and a retry is queued again before its attempt is acknowledged. (The memory queue looks
     * empty for an instant while it hands a mail out, hence the effect first.)
     */
    private void awaitDone(BooleanSupplier effect) throws InterruptedException {
        ManageableMailQueue queue = queues.getQueue(MailQueueName.of("outgoing")).orElseThrow();
        await(() -> effect.getAsBoolean() && queueSize(queue) == 0);
    }

    private static long queueSize(ManageableMailQueue queue) {
        try {
            return queue.getSize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in " + PATIENCE + "; dnsmasq log:\n" + dns.log());
            }
            Thread.sleep(20);
        }
    }
}
