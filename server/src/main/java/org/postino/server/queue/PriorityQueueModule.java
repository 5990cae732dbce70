package org.postino.server.queue;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.jms.ConnectionFactory;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQHealthCheck;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.core.healthcheck.HealthCheck;
import org.postino.server.config.PostinoDirectories;
import org.postino.server.config.PostinoSettings;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

/**
 * Durable, priority-ordered mail queues (spool, outgoing) on {@link PriorityBroker}, with its store
 * in {@code <data dir>/queue}. Message bodies travel inside the broker's journal, not as side
 * files, so one fsync covers the whole message.
 */
public class PriorityQueueModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(ActiveMQHealthCheck.class);
        bind(QueueShutdown.class).asEagerSingleton();
    }

    /**
     * Guice-built so that James's shutdown stage sees its {@code @PreDestroy}: instances returned
     * by {@code @Provides} methods are invisible to it.
     */
    static final class QueueShutdown {
        private final ActiveMQMailQueueFactory queues;
        private final PriorityBroker broker;

        @Inject
        QueueShutdown(ActiveMQMailQueueFactory queues, PriorityBroker broker) {
            this.queues = queues;
            this.broker = broker;
        }

        @PreDestroy
        void stop() throws Exception {
            queues.destroy();
            broker.stop();
        }
    }

    @Provides
    @Singleton
    PriorityBroker broker(PostinoDirectories directories) throws Exception {
        return PriorityBroker.start(directories.data().resolve("queue"));
    }

    @Provides
    @Singleton
    ConnectionFactory connectionFactory(PriorityBroker broker) {
        return broker.connectionFactory();
    }

    @Provides
    @Singleton
    ActiveMQMailQueueFactory queueFactory(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decorators,
                                          MetricFactory metricFactory, GaugeRegistry gaugeRegistry,
                                          PostinoDirectories directories, PostinoSettings settings) {
        ActiveMQMailQueueFactory factory = new PostinoMailQueueFactory(connectionFactory, decorators, metricFactory, gaugeRegistry,
            StorageGuard.of(directories.data(), settings.pauseBelowFreeSpace()));
        factory.init();
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(ActiveMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> queues(ActiveMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> plainQueues(ActiveMQMailQueueFactory factory) {
        return factory;
    }
}
