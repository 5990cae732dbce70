package org.postino.extensions.webadmin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;
import org.apache.mailet.MailetContext;
import org.postino.mailets.delivery.dsn.DsnWriter;
import org.postino.mailets.delivery.dsn.Language;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Adds {@link OutgoingQueueRoutes} ({@code /postino/outgoing}) to James's WebAdmin, and the queue's depth by priority
 * to James's metrics ({@link OutgoingQueueGauges}). Needs a
 * {@code MailQueueFactory<? extends ManageableMailQueue>}, a {@code GaugeRegistry}, the mailet container's {@link MailetContext} (to send
 * return-to-sender notices) and a {@link Clock}, all bound by a James server with WebAdmin and a mail queue.
 *
 * <p>The queue is the one {@code DeliverRemotely} uses by default, {@code outgoing}; a server whose mailet sets
 * {@code outgoingQueue} passes the same name here. The queue is taken to hand out copies when browsed, as the
 * JMS and ActiveMQ queues do ({@link OutgoingQueue.Browsing#COPIES}). Return-to-sender notices are in English and name this host's
 * canonical name as their {@code Reporting-MTA}.
 */
public class OutgoingQueueRoutesModule extends AbstractModule {

    private final MailQueueName queueName;

    public OutgoingQueueRoutesModule() {
        this(OutgoingQueue.DEFAULT_NAME);
    }

    public OutgoingQueueRoutesModule(MailQueueName queueName) {
        this.queueName = queueName;
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(OutgoingQueueRoutes.class);
    }

    /** The queue's depth as metrics, registered when the server starts. */
    @Provides
    @Singleton
    OutgoingQueueGauges outgoingQueueGauges(OutgoingQueue queue, GaugeRegistry gauges, Clock clock) {
        return new OutgoingQueueGauges(queue, gauges, clock);
    }

    @ProvidesIntoSet
    InitializationOperation registerGauges(OutgoingQueueGauges gauges) {
        return InitilizationOperationBuilder.forClass(OutgoingQueueGauges.class).init(gauges::start);
    }

    @Provides
    @Singleton
    OutgoingQueue outgoingQueue(MailQueueFactory<? extends ManageableMailQueue> queues, Clock clock,
                                MailetContext context) {
        ReturnToSender returns = new ReturnToSender(context, DsnWriter.of(clock), localHostName(), Language.ENGLISH);
        return new OutgoingQueue(queues, queueName, clock, returns, OutgoingQueue.Browsing.COPIES);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
