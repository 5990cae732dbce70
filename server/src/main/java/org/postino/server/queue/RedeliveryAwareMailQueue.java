package org.postino.server.queue;

import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.Message;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQCacheableMailQueue;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.postino.mailets.once.QueueRedelivery;

import reactor.core.publisher.Flux;

/**
 * James's ActiveMQ mail queue, telling the mail pipeline whether a mail is handed out for the
 * first time or again after an attempt that never finished (the broker persists that flag, so it
 * survives a crash). {@code SkipDeliveredRecipients} uses it to deliver exactly once. Mail is handed out only while
 * the data directory has room ({@link StorageGuard}).
 */
final class RedeliveryAwareMailQueue extends ActiveMQCacheableMailQueue {

    private final StorageGuard storage;

    RedeliveryAwareMailQueue(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decorators,
                             MailQueueName name, MetricFactory metricFactory, GaugeRegistry gaugeRegistry,
                             StorageGuard storage) {
        super(connectionFactory, decorators, name, false, metricFactory, gaugeRegistry);
        this.storage = storage;
    }

    /**
     * Each mail handed out once there is room to process it ({@link StorageGuard}). The wait blocks the thread that
     * takes mail from the broker, in line, so that no more mail is taken meanwhile; a reactive delay operator here
     * would take mail ahead into a buffer of its own (found by DurabilityIT: a mail taken so at a kill -9 stayed
     * unseen by the broker until the next restart).
     */
    @Override
    public Flux<MailQueueItem> deQueue() {
        return super.deQueue().doOnNext(item -> storage.awaitRoom());
    }

    @Override
    protected MailImpl.Builder populateMail(Message message) throws JMSException {
        MailImpl.Builder builder = super.populateMail(message);
        // Always written, so a flag copied along with other attributes never outlives its truth.
        builder.addAttribute(new Attribute(QueueRedelivery.ATTRIBUTE, AttributeValue.of(message.getJMSRedelivered())));
        return builder;
    }
}
