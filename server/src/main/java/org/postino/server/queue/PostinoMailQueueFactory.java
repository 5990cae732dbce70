package org.postino.server.queue;

import javax.jms.ConnectionFactory;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorNoop;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;

/** Creates {@link RedeliveryAwareMailQueue}s, message bodies kept in the broker's journal. */
final class PostinoMailQueueFactory extends ActiveMQMailQueueFactory {

    private final ConnectionFactory connections;
    private final MailQueueItemDecoratorFactory decorators;
    private final MetricFactory metrics;
    private final GaugeRegistry gauges;
    private final StorageGuard storage;

    PostinoMailQueueFactory(ConnectionFactory connections, MailQueueItemDecoratorFactory decorators,
                            MetricFactory metrics, GaugeRegistry gauges, StorageGuard storage) {
        super(connections, decorators, metrics, gauges, new ActiveMQMetricCollectorNoop());
        this.connections = connections;
        this.decorators = decorators;
        this.metrics = metrics;
        this.gauges = gauges;
        this.storage = storage;
        setUseBlobMessages(false);
        setUseJMX(false);
    }

    @Override
    protected ManageableMailQueue createCacheableMailQueue(MailQueueName name) {
        return new RedeliveryAwareMailQueue(connections, decorators, name, metrics, gauges, storage);
    }
}
