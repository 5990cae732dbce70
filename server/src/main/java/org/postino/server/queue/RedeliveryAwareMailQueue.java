package org.postino.server.queue;

import java.util.Map;

import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.ObjectMessage;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQCacheableMailQueue;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.jms.MimeMessageObjectMessageSource;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.postino.mailets.message.HeaderSafeMessage;
import org.postino.mailets.message.MessageBytes;
import org.postino.mailets.once.QueueRedelivery;

import reactor.core.publisher.Flux;

/**
 * James's ActiveMQ mail queue, telling the mail pipeline whether a mail is handed out for the
 * first time or again after an attempt that never finished (the broker persists that flag, so it
 * survives a crash). {@code SkipDeliveredRecipients} uses it to deliver exactly once. Mail is handed out only while
 * the data directory has room ({@link StorageGuard}).
 *
 * <p>A message goes into the broker and comes out of it byte for byte. James's queue writes and copies it with
 * {@code MimeMessageWrapper.writeTo}, which re-writes the header lines as US-ASCII (a raw 8-bit byte in a header,
 * common in real mail, became {@code ?}) and, after a header change, calls {@code saveChanges()} (which throws on
 * malformed MIME); here the bytes are taken with {@link MessageBytes} and read back through a
 * {@link HeaderSafeMessage}.
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
    protected void produceMail(Map<String, Object> props, int msgPrio, Mail mail) throws JMSException, MessagingException {
        ObjectMessage message = session.createObjectMessage();
        for (Map.Entry<String, Object> property : props.entrySet()) {
            message.setObjectProperty(property.getKey(), property.getValue());
        }
        message.setObject(MessageBytes.toByteArray(mail.getMessage()));
        producer.send(message, Message.DEFAULT_DELIVERY_MODE, msgPrio, Message.DEFAULT_TIME_TO_LIVE);
    }

    /** James copies this into the mail it hands out (MailImpl.setMessage): through HeaderSafeMessage.writeTo, exactly. */
    @Override
    protected MimeMessage mimeMessage(Message message) throws MessagingException, JMSException {
        if (message instanceof ObjectMessage) {
            return new HeaderSafeMessage(new MimeMessageObjectMessageSource((ObjectMessage) message));
        }
        return super.mimeMessage(message);
    }

    @Override
    protected MailImpl.Builder populateMail(Message message) throws JMSException {
        MailImpl.Builder builder = super.populateMail(message);
        // Always written, so a flag copied along with other attributes never outlives its truth.
        builder.addAttribute(new Attribute(QueueRedelivery.ATTRIBUTE, AttributeValue.of(message.getJMSRedelivered())));
        return builder;
    }
}
