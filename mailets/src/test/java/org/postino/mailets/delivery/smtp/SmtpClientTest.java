package org.postino.mailets.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.DsnParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.delivery.fake.FakeMx;
import org.postino.mailets.delivery.fake.TestTls;

class SmtpClientTest {

    private static final String MESSAGE = "Subject: hi\r\n\r\nline one\r\n.starts with a dot\r\nlast line";
    private FakeMx mx;
    private SmtpClient testee;

    @BeforeEach
    void setUp() throws Exception {
        mx = FakeMx.start();
        testee = new SmtpClient(TestTls.trustingClient());
    }

    @AfterEach
    void tearDown() throws Exception {
        mx.close();
    }

    @Test
    void deliverShouldSendTheMessageToEveryAcceptedRecipient() throws Exception {
        TransactionResult result = deliver(settings(false), envelope("a@remote.test", "b@remote.test"));

        assertThat(result.hostFailure()).isEmpty();
        assertThat(result.outcomes()).extracting(RecipientOutcome::kind)
            .containsOnly(RecipientOutcome.Kind.DELIVERED);
        FakeMx.Transaction received = mx.transactions().get(0);
        assertThat(received.mailFrom).startsWith("<sender@local.test>");
        assertThat(received.rcptTo).hasSize(2);
        assertThat(received.data).isEqualTo("Subject: hi\r\n\r\nline one\r\n.starts with a dot\r\nlast line\r\n");
    }

    @Test
    void deliverShouldReportEachRecipientOnItsOwn() throws Exception {
        mx.rcptReply(rcpt -> rcpt.contains("full") ? "452 4.2.2 mailbox full"
            : rcpt.contains("nobody") ? "550 5.1.1 no such user" : "250 2.1.5 ok");

        TransactionResult result = deliver(settings(false), envelope("ok@remote.test", "full@remote.test", "nobody@remote.test"));

        assertThat(result.outcomes()).extracting(outcome -> outcome.recipient().asString() + "=" + outcome.kind())
            .containsExactlyInAnyOrder("ok@remote.test=DELIVERED", "full@remote.test=TEMPORARY_FAILURE",
                "nobody@remote.test=PERMANENT_FAILURE");
        assertThat(mx.transactions().get(0).rcptTo).containsExactly("<ok@remote.test>");
    }

    @Test
    void deliverShouldNotSendDataWhenNoRecipientIsAccepted() throws Exception {
        mx.rcptReply(rcpt -> "550 5.1.1 no such user");

        TransactionResult result = deliver(settings(false), envelope("nobody@remote.test"));

        assertThat(result.outcomes()).extracting(RecipientOutcome::kind).containsExactly(RecipientOutcome.Kind.PERMANENT_FAILURE);
        assertThat(mx.transactions()).isEmpty();
    }

    @Test
    void deliverShouldApplyTheFinalDataReplyToAcceptedRecipients() throws Exception {
        mx.dataReply("554 5.6.0 content rejected");

        TransactionResult result = deliver(settings(false), envelope("a@remote.test"));

        assertThat(result.outcomes().get(0).kind()).isEqualTo(RecipientOutcome.Kind.PERMANENT_FAILURE);
        assertThat(result.outcomes().get(0).reply().text()).isEqualTo("554 5.6.0 content rejected");
    }

    @Test
    void aRefusedGreetingShouldFailTheHost() throws Exception {
        mx.greeting("421 4.3.2 too busy");

        TransactionResult result = deliver(settings(false), envelope("a@remote.test"));

        assertThat(result.hostFailure()).map(SmtpReply::code).contains(421);
        assertThat(result.outcomes()).isEmpty();
    }

    @Test
    void aDroppedConnectionShouldFailTheHost() throws Exception {
        mx.hangUpAfterGreeting();

        TransactionResult result = deliver(settings(false), envelope("a@remote.test"));

        assertThat(result.hostFailure()).isPresent();
        assertThat(result.hostFailure().get().text()).contains("4.4.2");
    }

    @Test
    void aStallingServerShouldFailTheHostAfterTheCommandTimeout() throws Exception {
        mx.stall();
        SmtpClient.Settings quick = SmtpClient.Settings.of(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(1), "client.test", false);

        TransactionResult result = deliver(quick, envelope("a@remote.test"));

        assertThat(result.hostFailure()).isPresent();
    }

    @Test
    void anUnreachableHostShouldFailTheHost() throws Exception {
        // A loopback address nothing listens on: the fake MX's own port, once closed, may be taken by another process.
        java.net.InetSocketAddress closed = new java.net.InetSocketAddress("127.0.0.250", mx.address().getPort());

        TransactionResult result = testee.deliver(closed, "gone.test", settings(false), envelope("a@remote.test"), this::message);

        assertThat(result.hostFailure().get().text()).contains("4.4.1");
    }

    @Test
    void deliverShouldUseStartTlsWhenOffered() throws Exception {
        mx.offerTls(TestTls.serverContext());

        TransactionResult result = deliver(settings(false), envelope("a@remote.test"));

        assertThat(result.usedTls()).isTrue();
        assertThat(mx.transactions().get(0).tls).isTrue();
    }

    @Test
    void requiredTlsShouldSendNothingToAServerWithoutStartTls() throws Exception {
        TransactionResult result = deliver(settings(true), envelope("a@remote.test"));

        assertThat(result.hostFailure().get().text()).contains("4.7.10");
        assertThat(mx.transactions()).isEmpty();
    }

    @Test
    void requiredTlsShouldDeliverOverTls() throws Exception {
        mx.offerTls(TestTls.serverContext());

        TransactionResult result = deliver(settings(true), envelope("a@remote.test"));

        assertThat(result.outcomes().get(0).kind()).isEqualTo(RecipientOutcome.Kind.DELIVERED);
        assertThat(mx.transactions().get(0).tls).isTrue();
    }

    @Test
    void dsnParametersShouldBeRelayedToAServerThatSupportsDsn() throws Exception {
        MailAddress recipient = new MailAddress("a@remote.test");
        Optional<DsnParameters> dsn = DsnParameters.builder()
            .envId(DsnParameters.EnvId.of("env+2042"))
            .ret(DsnParameters.Ret.HDRS)
            .addRcptParameter(recipient, DsnParameters.RecipientDsnParameters.of(
                EnumSet.of(DsnParameters.Notify.FAILURE, DsnParameters.Notify.DELAY), new MailAddress("orig@remote.test")))
            .build();

        deliver(settings(false), Envelope.of(MaybeSender.of(new MailAddress("sender@local.test")), List.of(recipient), dsn, 100));

        FakeMx.Transaction received = mx.transactions().get(0);
        assertThat(received.mailFrom).contains("RET=HDRS").contains("ENVID=env+2042");
        assertThat(received.rcptTo).containsExactly("<a@remote.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;orig@remote.test");
    }

    @Test
    void dsnParametersShouldNotBeSentToAServerWithoutDsn() throws Exception {
        mx.withoutDsn();
        MailAddress recipient = new MailAddress("a@remote.test");
        Optional<DsnParameters> dsn = DsnParameters.builder().ret(DsnParameters.Ret.FULL)
            .addRcptParameter(recipient, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
            .build();

        deliver(settings(false), Envelope.of(MaybeSender.of(new MailAddress("sender@local.test")), List.of(recipient), dsn, 100));

        assertThat(mx.transactions().get(0).mailFrom).doesNotContain("RET=");
        assertThat(mx.transactions().get(0).rcptTo).containsExactly("<a@remote.test>");
    }

    @Test
    void nullReversePathShouldBeSentAsEmpty() throws Exception {
        deliver(settings(false), Envelope.of(MaybeSender.nullSender(), List.of(new MailAddress("a@remote.test")), Optional.empty(), 0));

        assertThat(mx.transactions().get(0).mailFrom).startsWith("<>");
    }

    private TransactionResult deliver(SmtpClient.Settings settings, Envelope envelope) {
        return testee.deliver(mx.address(), "fake.mx", settings, envelope, this::message);
    }

    private ByteArrayInputStream message() {
        return new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8));
    }

    private static SmtpClient.Settings settings(boolean tlsRequired) {
        return SmtpClient.Settings.of(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), "client.test", tlsRequired);
    }

    private static Envelope envelope(String... recipients) throws Exception {
        List<MailAddress> addresses = new java.util.ArrayList<>();
        for (String recipient : recipients) {
            addresses.add(new MailAddress(recipient));
        }
        return Envelope.of(MaybeSender.of(new MailAddress("sender@local.test")), addresses, Optional.empty(), 100);
    }
}
