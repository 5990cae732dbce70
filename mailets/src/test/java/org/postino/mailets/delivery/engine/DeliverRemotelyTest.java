package org.postino.mailets.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.DeliverRemotely;
import org.postino.mailets.delivery.fake.FakeMx;

/**
 * The whole engine over real sockets: the mailet files mail in a queue, delivery threads take it
 * to a fake MX reached through a domain literal (no DNS), with a schedule short enough to watch.
 */
class DeliverRemotelyTest {

    private FakeMx mx;
    private FakeMailContext context;
    private DeliverRemotely testee;
    private String domain;

    @BeforeEach
    void setUp() throws Exception {
        mx = FakeMx.start();
        domain = "[127.0.0.1]";
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@local.test")).build();
        testee = new DeliverRemotely(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        testee.destroy();
        mx.close();
    }

    @Test
    void mailShouldBeDeliveredOnceWithoutNotice() throws Exception {
        start(Map.of());

        testee.service(mail("a"));

        await(() -> mx.transactions().size() == 1);
        Thread.sleep(300);
        assertThat(mx.transactions()).hasSize(1);
        assertThat(mx.transactions().get(0).data).contains("Subject: test");
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void temporaryFailuresThenSuccessShouldDeliverExactlyOnceWithoutNotice() throws Exception {
        AtomicInteger rcpts = new AtomicInteger();
        mx.rcptReply(rcpt -> rcpts.incrementAndGet() <= 2 ? "451 4.3.0 try later" : "250 2.1.5 ok");
        start(Map.of());

        testee.service(mail("a"));

        await(() -> mx.transactions().size() == 1);
        Thread.sleep(500);
        assertThat(rcpts.get()).isEqualTo(3);
        assertThat(mx.transactions()).hasSize(1);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void permanentFailureShouldSendOneFailedNoticeToTheSender() throws Exception {
        mx.rcptReply(rcpt -> "550 5.1.1 no such user");
        start(Map.of());

        testee.service(mail("nobody"));

        await(() -> context.getSentMails().size() == 1);
        FakeMailContext.SentMail notice = context.getSentMails().get(0);
        assertThat(notice.getRecipients()).containsExactly(new MailAddress("sender@local.test"));
        assertThat(notice.getSender()).isNull();
        String text = asString(notice);
        assertThat(text).contains("report-type=delivery-status").contains("Action: failed")
            .contains("Status: 5.1.1").contains("Diagnostic-Code: smtp; 550 5.1.1 no such user");
        assertThat(mx.transactions()).isEmpty();
    }

    @Test
    void mixedOutcomesShouldBeHandledPerRecipientAndOnlyTheTemporaryOneRetried() throws Exception {
        AtomicInteger tempAsked = new AtomicInteger();
        mx.rcptReply(rcpt -> rcpt.contains("bad") ? "550 5.1.1 no such user"
            : rcpt.contains("later") && tempAsked.incrementAndGet() == 1 ? "452 4.2.2 mailbox full" : "250 2.1.5 ok");
        start(Map.of());

        testee.service(mail("good", "later", "bad"));

        await(() -> mx.transactions().size() == 2);
        assertThat(mx.transactions().get(0).rcptTo).containsExactly("<good@" + domain + ">");
        assertThat(mx.transactions().get(1).rcptTo).containsExactly("<later@" + domain + ">");
        await(() -> context.getSentMails().size() == 1);
        Thread.sleep(300);
        assertThat(context.getSentMails()).hasSize(1);
        String notice = asString(context.getSentMails().get(0));
        assertThat(notice).contains("Final-Recipient: rfc822; bad@").doesNotContain("rfc822; later@").doesNotContain("rfc822; good@");
    }

    @Test
    void aDelayPastTheThresholdShouldSendOneDelayedNoticeThenOneFailedNoticeAtTheLifetime() throws Exception {
        mx.rcptReply(rcpt -> "451 4.3.0 try later");
        start(Map.of("retrySchedule", "100ms", "delayNotices", "400ms", "lifetime", "1500ms", "retryJitter", "0"));

        testee.service(mail("a"));

        await(() -> context.getSentMails().size() == 2);
        Thread.sleep(500);
        assertThat(context.getSentMails()).hasSize(2);
        javax.mail.internet.InternetHeaders delayed = deliveryStatus(context.getSentMails().get(0)).getRecipientDSN(0);
        assertThat(delayed.getHeader("Action", null)).isEqualTo("delayed");
        assertThat(delayed.getHeader("Status", null)).isEqualTo("4.3.0");
        assertThat(delayed.getHeader("Will-Retry-Until", null)).isNotNull();
        javax.mail.internet.InternetHeaders failed = deliveryStatus(context.getSentMails().get(1)).getRecipientDSN(0);
        assertThat(failed.getHeader("Action", null)).isEqualTo("failed");
        assertThat(failed.getHeader("Will-Retry-Until", null)).isNull();
    }

    @Test
    void notifySuccessShouldBringARelayedNotice() throws Exception {
        start(Map.of());
        Mail mail = mail("a");
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(mail.getRecipients().iterator().next(),
                DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.SUCCESS)))
            .build().get());

        testee.service(mail);

        await(() -> context.getSentMails().size() == 1);
        com.sun.mail.dsn.DeliveryStatus status = deliveryStatus(context.getSentMails().get(0));
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        assertThat(status.getRecipientDSN(0).getHeader("Action", null)).isEqualTo("relayed");
        assertThat(status.getRecipientDSN(0).getHeader("Status", null)).startsWith("2.");
        assertThat(mx.transactions()).hasSize(1);
    }

    @Test
    void notifyNeverShouldSuppressEveryNotice() throws Exception {
        mx.rcptReply(rcpt -> "550 5.1.1 no such user");
        start(Map.of());
        Mail mail = mail("nobody");
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(mail.getRecipients().iterator().next(),
                DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
            .build().get());

        testee.service(mail);

        await(() -> mx.connections() >= 1);
        Thread.sleep(500);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void aNoticeShouldNeverBeSentForMailFromTheNullReversePath() throws Exception {
        mx.rcptReply(rcpt -> "550 5.1.1 no such user");
        start(Map.of());
        Mail mail = FakeMail.builder().name("bounce-" + System.nanoTime())
            .recipient(new MailAddress("nobody@" + domain))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body"))
            .build();

        testee.service(mail);

        await(() -> mx.connections() >= 1);
        Thread.sleep(500);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void requiredTlsShouldSendNothingInClear() throws Exception {
        start(Map.of("tls", "required", "retrySchedule", "1h"));

        testee.service(mail("a"));

        await(() -> mx.connections() >= 1);
        Thread.sleep(300);
        assertThat(mx.transactions()).isEmpty();
    }

    @Test
    void serviceShouldGhostTheMailItFiled() throws Exception {
        start(Map.of());
        Mail mail = mail("a");

        testee.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void mailGivenUpOnShouldGoToTheFailureProcessorWithItsStateBesideTheNotice() throws Exception {
        mx.rcptReply(rcpt -> rcpt.contains("kept") ? "250 2.1.5 ok" : "550 5.1.1 no such user");
        start(Map.of("failureProcessor", "delivery-failed"));

        testee.service(mail("kept", "gone"));

        await(() -> context.getSentMails().size() == 2);
        FakeMailContext.SentMail handedOver = context.getSentMails().stream()
            .filter(sent -> "delivery-failed".equals(sent.getState())).findFirst().orElseThrow();
        assertThat(handedOver.getRecipients()).as("the failed recipient only").containsExactly(new MailAddress("gone@[127.0.0.1]"));
        assertThat(handedOver.getAttributes()).as("state for AttemptsAtLeast / QueuedLongerThan")
            .containsKeys(DeliveryState.ATTEMPTS, DeliveryState.ARRIVED);
        assertThat(handedOver.getAttributes().get(DeliveryState.ATTEMPTS).getValue().getValue()).isEqualTo(1L);
        assertThat(context.getSentMails()).filteredOn(sent -> sent.getState() == null || "root".equals(sent.getState()))
            .as("the sender's notice").hasSize(1);
    }

    @Test
    void initShouldRefuseAFailureProcessorThatIsNotAName() {
        assertThatThrownBy(() -> start(Map.of("failureProcessor", "no such processor")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("failureProcessor = 'no such processor'");
    }

    @Test
    void initShouldReportEveryBadParameter() {
        assertThatThrownBy(() -> start(Map.of("deliveryThreads", "0", "noticeLanguage", "klingon", "lifetime", "soon")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("deliveryThreads = '0'")
            .hasMessageContaining("noticeLanguage = 'klingon'")
            .hasMessageContaining("lifetime = 'soon'");
    }

    private void start(Map<String, String> parameters) throws Exception {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DeliverRemotely").mailetContext(context)
            .setProperty("port", String.valueOf(mx.address().getPort()))
            .setProperty("heloName", "postino.test")
            .setProperty("retrySchedule", "200ms")
            .setProperty("retryJitter", "0");
        Map<String, String> all = new ConcurrentHashMap<>(parameters);
        all.forEach(config::setProperty);
        testee.init(config.build());
    }

    private Mail mail(String... localParts) throws Exception {
        FakeMail.Builder builder = FakeMail.builder().name("mail-" + System.nanoTime())
            .sender("sender@local.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body"));
        for (String localPart : localParts) {
            builder.recipient(new MailAddress(localPart + "@" + domain));
        }
        return builder.build();
    }

    /** The notice parsed back with an independent parser (com.sun.mail:dsn). */
    private static com.sun.mail.dsn.DeliveryStatus deliveryStatus(FakeMailContext.SentMail sent) throws Exception {
        javax.mail.internet.MimeMessage notice = new javax.mail.internet.MimeMessage(
            javax.mail.Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(asString(sent).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(notice.getContentType()).contains("multipart/report").contains("delivery-status");
        return ((com.sun.mail.dsn.MultipartReport) notice.getContent()).getDeliveryStatus();
    }

    private static String asString(FakeMailContext.SentMail sent) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sent.getMsg().writeTo(out);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 15s");
            }
            Thread.sleep(50);
        }
    }
}
