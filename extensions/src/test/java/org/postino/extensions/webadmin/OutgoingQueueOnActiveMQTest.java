package org.postino.extensions.webadmin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.browse;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.deferred;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.find;
import static org.postino.extensions.webadmin.OutgoingQueueFixture.fresh;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQPrefetchPolicy;
import org.apache.activemq.broker.BrokerService;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorNoop;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.delivery.dsn.DsnWriter;
import org.postino.mailets.delivery.dsn.Language;

import reactor.core.publisher.Flux;

/**
 * The commands against James's ActiveMQ queue, which the distribution runs on: it writes "no delay" as -1,
 * removes by a JMS selector, and flushes by a flag rather than by rewriting the delivery time.
 */
class OutgoingQueueOnActiveMQTest {

    private static final Duration HOUR = Duration.ofHours(1);

    private BrokerService broker;
    private ActiveMQMailQueueFactory queues;
    private ManageableMailQueue queue;
    private OutgoingQueue testee;

    @BeforeEach
    void setUp() throws Exception {
        String brokerName = "outgoing-test-" + UUID.randomUUID();
        broker = new BrokerService();
        broker.setBrokerName(brokerName);
        broker.setPersistent(false);
        broker.setUseJmx(false);
        broker.setAdvisorySupport(false);
        broker.start();
        ActiveMQConnectionFactory connections = new ActiveMQConnectionFactory("vm://" + brokerName + "?create=false");
        ActiveMQPrefetchPolicy noPrefetch = new ActiveMQPrefetchPolicy();
        noPrefetch.setQueuePrefetch(0);
        connections.setPrefetchPolicy(noPrefetch);
        queues = new ActiveMQMailQueueFactory(connections, new RawMailQueueItemDecoratorFactory(),
            new RecordingMetricFactory(), new NoopGaugeRegistry(), new ActiveMQMetricCollectorNoop());
        queues.setUseJMX(false);
        queues.setUseBlobMessages(false);
        queues.init();
        queue = queues.createQueue(OutgoingQueue.DEFAULT_NAME);
        FakeMailContext context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@postino.test")).build();
        Clock clock = Clock.systemUTC();
        testee = new OutgoingQueue(queues, OutgoingQueue.DEFAULT_NAME, clock,
            new ReturnToSender(context, DsnWriter.of(clock), "mx.postino.test", Language.ENGLISH),
            OutgoingQueue.Browsing.COPIES);

        queue.enQueue(deferred("mail-old", "alice@postino.test", Duration.ofHours(2), 3, "4.4.1 refused", HOUR,
            "bob@example.com"), HOUR);
        queue.enQueue(deferred("mail-new", "dave@postino.test", Duration.ofMinutes(5), 1, "4.2.2 full", HOUR,
            "erin@example.com"), HOUR);
        queue.enQueue(fresh("mail-fresh", MaybeSender.getMailSender("frank@postino.test"), Duration.ZERO,
            "grace@another.test"));
    }

    @AfterEach
    void tearDown() throws Exception {
        queues.destroy();
        broker.stop();
        broker.waitUntilStopped();
    }

    @Test
    void gaugesShouldCountTheQueueByPriorityAndDestination() throws Exception {
        queue.enQueue(OutgoingQueueFixture.withPriority(fresh("mail-urgent", MaybeSender.getMailSender("ceo@postino.test"),
            Duration.ZERO, "board@example.com"), 9));
        queue.enQueue(OutgoingQueueFixture.withPriority(fresh("mail-bulk", MaybeSender.getMailSender("news@postino.test"),
            Duration.ZERO, "reader@third.test"), 0));
        java.util.Map<String, org.apache.james.metrics.api.Gauge<?>> registered = new java.util.HashMap<>();
        org.apache.james.metrics.api.GaugeRegistry registry = new org.apache.james.metrics.api.GaugeRegistry() {
            @Override
            public <T> org.apache.james.metrics.api.GaugeRegistry register(String name, org.apache.james.metrics.api.Gauge<T> gauge) {
                registered.put(name, gauge);
                return this;
            }

            @Override
            public <T> SettableGauge<T> settableGauge(String name) {
                throw new UnsupportedOperationException();
            }
        };
        new OutgoingQueueGauges(testee, registry, Clock.systemUTC()).start();

        assertThat(registered.get("postino.outgoing.mails").get()).isEqualTo(5L);
        assertThat(registered.get("postino.outgoing.priority.9").get()).isEqualTo(1L);
        assertThat(registered.get("postino.outgoing.priority.0").get()).isEqualTo(1L);
        assertThat(registered.get("postino.outgoing.priority.5").get()).as("mail without a priority counts as 5").isEqualTo(3L);
        assertThat(registered.get("postino.outgoing.destinations").get()).isEqualTo(3L);
        assertThat(registered.get("postino.outgoing.largestDestination").get()).as("example.com").isEqualTo(3L);
        assertThat(registered).as("mails, 10 priorities, destinations, largest").hasSize(13);
    }

    @Test
    void aMailQueuedWithoutDelayShouldBeDueWithNoNextAttempt() throws Exception {
        QueuedMail fresh = find(queue, "mail-fresh").orElseThrow();

        assertThat(fresh.isDueAt(testee.now())).isTrue();
        assertThat(fresh.nextAttempt()).isEmpty();
    }

    @Test
    void retryByNameShouldMakeThatMailDueUnderItsNameWithItsState() throws Exception {
        OutgoingQueue.Retried retried = testee.retry(Selection.name("mail-old"));

        assertThat(retried).isEqualTo(new OutgoingQueue.Retried(1, 1));
        assertThat(browse(queue)).extracting(QueuedMail::name)
            .containsExactlyInAnyOrder("mail-old", "mail-new", "mail-fresh");
        QueuedMail old = find(queue, "mail-old").orElseThrow();
        assertThat(old.isDueAt(testee.now())).isTrue();
        assertThat(old.attempts()).isEqualTo(3);
        assertThat(old.lastError()).contains("4.4.1 refused");
        assertThat(find(queue, "mail-new").orElseThrow().isDueAt(testee.now())).isFalse();
    }

    @Test
    void retryOfEverythingShouldHandWaitingMailsOut() throws Exception {
        testee.retry(Selection.all());

        assertThat(Flux.from(queue.deQueue())
            .map(item -> item.getMail().getName())
            .take(3)
            .collectList()
            .block(Duration.ofSeconds(30)))
            .containsExactlyInAnyOrder("mail-old", "mail-new", "mail-fresh");
    }

    @Test
    void deleteByDomainShouldRemoveOnlyThatDestination() throws Exception {
        assertThat(testee.delete(Selection.domain(Domain.of("example.com")))).isEqualTo(2);

        assertThat(browse(queue)).extracting(QueuedMail::name).containsExactly("mail-fresh");
    }

    @Test
    void returnShouldTakeTheMailOut() throws Exception {
        assertThat(testee.returnToSender("mail-new")).contains(new OutgoingQueue.Returned("mail-new", 1, 1));

        assertThat(browse(queue)).extracting(QueuedMail::name).containsExactlyInAnyOrder("mail-old", "mail-fresh");
    }
}
