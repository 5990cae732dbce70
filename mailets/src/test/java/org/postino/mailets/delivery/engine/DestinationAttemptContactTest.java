package org.postino.mailets.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.delivery.fairness.Contact;
import org.postino.mailets.delivery.fake.FakeMx;
import org.postino.mailets.delivery.policy.DeliveryPolicy;
import org.postino.mailets.delivery.policy.TlsMode;
import org.postino.mailets.delivery.routing.Route;
import org.postino.mailets.delivery.routing.Target;
import org.postino.mailets.delivery.smtp.Envelope;
import org.postino.mailets.delivery.smtp.SmtpClient;
import org.postino.mailets.delivery.smtp.TrustingTls;

/** Which outcomes tell the fairness gate that a destination could not be reached. */
class DestinationAttemptContactTest {

    private static final DeliveryPolicy POLICY = DeliveryPolicy.builder()
        .connectTimeout(Duration.ofMillis(500)).commandTimeout(Duration.ofMillis(500)).build();

    private FakeMx mx;

    @BeforeEach
    void setUp() throws Exception {
        mx = FakeMx.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        mx.close();
    }

    @Test
    void aRefusedRecipientShouldStillCountAsReachingTheHost() throws Exception {
        mx.rcptReply(rcpt -> "450 4.2.1 try later");

        assertThat(run(mx.address().getPort(), POLICY).contact()).isEqualTo(Contact.REACHED);
    }

    @Test
    void aRefusedGreetingShouldCountAsUnreachable() throws Exception {
        mx.greeting("421 4.3.2 not now");

        DestinationAttempt.Outcome outcome = run(mx.address().getPort(), POLICY);

        assertThat(outcome.contact()).isEqualTo(Contact.UNREACHABLE);
        assertThat(outcome.lastHostFailure()).contains("421 4.3.2 not now");
    }

    @Test
    void aServerThatNeverAnswersShouldCountAsUnreachable() throws Exception {
        mx.stall();

        assertThat(run(mx.address().getPort(), POLICY).contact()).isEqualTo(Contact.UNREACHABLE);
    }

    @Test
    void aRefusedConnectionShouldCountAsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        assertThat(run(closedPort, POLICY).contact()).isEqualTo(Contact.UNREACHABLE);
    }

    @Test
    void aMissingStartTlsShouldNotMakeTheDestinationUnreachable() throws Exception {
        DeliveryPolicy tlsRequired = POLICY.toBuilder().tls(TlsMode.REQUIRED).build();

        assertThat(run(mx.address().getPort(), tlsRequired).contact()).isEqualTo(Contact.REACHED);
    }

    @Test
    void aRoutingFailureShouldTryNoHost() throws Exception {
        DestinationAttempt testee = new DestinationAttempt(new SmtpClient(TrustingTls.acceptingAnyCertificate()), "postino.test", 25);

        DestinationAttempt.Outcome outcome = testee.run(Route.TemporaryFailure.dnsFailure("SERVFAIL"), POLICY, envelope(),
            () -> new ByteArrayInputStream(new byte[0]));

        assertThat(outcome.contact()).isEqualTo(Contact.NOT_TRIED);
    }

    private static DestinationAttempt.Outcome run(int port, DeliveryPolicy policy) throws Exception {
        DestinationAttempt testee = new DestinationAttempt(new SmtpClient(TrustingTls.acceptingAnyCertificate()), "postino.test", port);
        Route route = Route.Destinations.of(List.of(Target.of("[127.0.0.1]", 0, List.of(InetAddress.getByName("127.0.0.1")))));
        byte[] message = "Subject: test\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        return testee.run(route, policy, envelope(), () -> new ByteArrayInputStream(message));
    }

    private static Envelope envelope() throws Exception {
        return Envelope.of(MaybeSender.getMailSender("sender@local.test"), List.of(new MailAddress("someone@[127.0.0.1]")),
            Optional.empty(), 30);
    }
}
