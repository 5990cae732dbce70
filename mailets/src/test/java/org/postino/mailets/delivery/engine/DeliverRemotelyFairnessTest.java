package org.postino.mailets.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
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
 * Fairness between destinations over real sockets. The {@code port} parameter is the same for every destination, so
 * each fake MX listens on the same port of its own loopback address and is reached through its domain literal:
 * {@code [127.0.0.1]} is healthy, the others are unreachable in one way or another.
 */
class DeliverRemotelyFairnessTest {

    private static final String HEALTHY = "127.0.0.1";
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final List<FakeMx> mxs = new ArrayList<>();
    private FakeMx healthy;
    private MemoryMailQueueFactory queues;
    private FakeMailContext context;
    private DeliverRemotely testee;

    @BeforeEach
    void setUp() throws Exception {
        healthy = FakeMx.start(HEALTHY, 0);
        mxs.add(healthy);
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@local.test")).build();
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        testee = new DeliverRemotely(queues, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        testee.destroy();
        for (FakeMx mx : mxs) {
            mx.close();
        }
        // Mail still waiting for a dead destination: release its content now rather than leave it to the GC.
        for (String address : List.of("127.0.0.6", "127.0.0.7", "127.0.0.8")) {
            queued(address).forEach(LifecycleUtil::dispose);
        }
        queues.getQueue(MailQueueName.of("outgoing")).ifPresent(MemoryMailQueueFactory.MemoryCacheableMailQueue::clear);
    }

    @Test
    void aDeadDestinationShouldNotHoldUpAHealthyOne() throws Exception {
        FakeMx blackhole = mx("127.0.0.6").stall();
        start(Map.of("deadDestinationBackoff", "1m"));

        for (int i = 0; i < 200; i++) {
            testee.service(mail("[127.0.0.6]"));
        }
        for (int i = 0; i < 5; i++) {
            testee.service(mail("[" + HEALTHY + "]"));
        }

        await(() -> healthy.transactions().size() == 5);
        int blackholeConnections = blackhole.connections();
        await(() -> queued("127.0.0.6").size() == 200);
        long neverTried = queued("127.0.0.6").stream().filter(mail -> attempts(mail) == 0).count();
        assertThat(blackholeConnections).as("connections to the blackhole by the time the healthy mail was delivered")
            .isLessThanOrEqualTo(10);
        assertThat(neverTried).as("blackholed mails never tried").isGreaterThanOrEqualTo(190);
        assertThat(blackhole.connections()).isLessThanOrEqualTo(10);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void deliveriesToOneDestinationShouldNeverExceedItsConcurrencyLimit() throws Exception {
        healthy.dataDelay(Duration.ofMillis(300));
        // A mail at the limit that counted as a failed attempt would wait an hour and never arrive.
        start(Map.of("destinationConcurrency", "3", "initialDestinationConcurrency", "1", "retrySchedule", "1h"));

        for (int i = 0; i < 12; i++) {
            testee.service(mail("[" + HEALTHY + "]"));
        }

        await(() -> healthy.transactions().size() == 12);
        assertThat(healthy.maxSimultaneousTransactions()).as("grows from 1, never above 3").isBetween(2, 3);
        Thread.sleep(300);
        assertThat(healthy.transactions()).hasSize(12);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void aDeadDestinationShouldBeTriedAgainAfterItsBackoffAndReviveWhenItsMxIsBack() throws Exception {
        FakeMx refusing = mx("127.0.0.7").greeting("421 4.3.2 not now");
        start(Map.of("deadDestinationFailures", "2", "deadDestinationBackoff", "2s"));

        testee.service(mail("[127.0.0.7]"));

        await(() -> refusing.connections() == 2);
        Thread.sleep(700);
        assertThat(refusing.connections()).as("dead: no attempt every 200ms").isEqualTo(2);
        refusing.greetNormally();
        await(() -> refusing.transactions().size() == 1);
        assertThat(refusing.connections()).isEqualTo(3);

        testee.service(mail("[127.0.0.7]"));

        await(() -> refusing.transactions().size() == 2);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void mailForADeadDestinationShouldStillBeReturnedAtTheEndOfItsLifetime() throws Exception {
        FakeMx refusing = mx("127.0.0.8").greeting("421 4.3.2 not now");
        start(Map.of("deadDestinationFailures", "1", "deadDestinationBackoff", "1m", "lifetime", "2s", "delayNotices", "none"));

        testee.service(mail("[127.0.0.8]"));

        await(() -> context.getSentMails().size() == 1);
        assertThat(refusing.connections()).isEqualTo(1);
        assertThat(asString(context.getSentMails().get(0))).contains("Action: failed").contains("Status: 4.4.1");
    }

    private FakeMx mx(String address) throws IOException {
        FakeMx mx = FakeMx.start(address, healthy.address().getPort());
        mxs.add(mx);
        return mx;
    }

    private void start(Map<String, String> parameters) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of(
            "port", String.valueOf(healthy.address().getPort()),
            "heloName", "postino.test",
            "retrySchedule", "200ms",
            "retryJitter", "0",
            "connectTimeout", "500ms",
            "commandTimeout", "500ms"));
        all.putAll(parameters);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DeliverRemotely").mailetContext(context);
        all.forEach(config::setProperty);
        testee.init(config.build());
    }

    /** The mails waiting in the outgoing queue for the domain literal of {@code address} (not those being processed). */
    private List<Mail> queued(String address) {
        ManageableMailQueue queue = queues.getQueue(MailQueueName.of("outgoing")).orElseThrow();
        List<Mail> mails = new ArrayList<>();
        ManageableMailQueue.MailQueueIterator items;
        try {
            items = queue.browse();
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException(e);
        }
        try {
            while (items.hasNext()) {
                Mail mail = items.next().getMail();
                if (mail.getRecipients().iterator().next().asString().endsWith("@" + address)) {
                    mails.add(mail);
                }
            }
        } finally {
            items.close();
        }
        return mails;
    }

    private static long attempts(Mail mail) {
        return DeliveryState.of(mail, java.time.Instant.now()).attempts();
    }

    private static Mail mail(String domain) throws Exception {
        return FakeMail.builder().name("mail-" + System.nanoTime())
            .sender("sender@local.test")
            .recipient(new MailAddress("someone@" + domain))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body"))
            .build();
    }

    private static String asString(FakeMailContext.SentMail sent) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sent.getMsg().writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in " + PATIENCE.toSeconds() + "s");
            }
            Thread.sleep(20);
        }
    }
}
