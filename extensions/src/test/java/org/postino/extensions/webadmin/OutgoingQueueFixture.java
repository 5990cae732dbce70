package org.postino.extensions.webadmin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;

/** Mails as the delivery engine leaves them in the outgoing queue, at a fixed time. */
final class OutgoingQueueFixture {

    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private OutgoingQueueFixture() {
    }

    /** A mail the engine has tried {@code attempts} times, waiting {@code wait} for its next attempt. */
    static Mail deferred(String name, String sender, Duration age, int attempts, String lastError, Duration wait,
                         String... recipients) throws MessagingException {
        Mail mail = mail(name, MaybeSender.getMailSender(sender), recipients);
        mail.setAttribute(new Attribute(QueuedMail.ARRIVED, AttributeValue.of(NOW.minus(age).toEpochMilli())));
        mail.setAttribute(new Attribute(QueuedMail.ATTEMPTS, AttributeValue.of((long) attempts)));
        mail.setAttribute(new Attribute(QueuedMail.LAST_ERROR, AttributeValue.of(lastError)));
        mail.setAttribute(new Attribute(QueuedMail.NEXT_ATTEMPT, AttributeValue.of(NOW.plus(wait).toEpochMilli())));
        return mail;
    }

    /** A mail filed {@code age} ago and not yet attempted. */
    static Mail fresh(String name, MaybeSender sender, Duration age, String... recipients) throws MessagingException {
        Mail mail = mail(name, sender, recipients);
        mail.setAttribute(new Attribute(QueuedMail.ARRIVED, AttributeValue.of(NOW.minus(age).toEpochMilli())));
        mail.setAttribute(new Attribute(QueuedMail.ATTEMPTS, AttributeValue.of(0L)));
        return mail;
    }

    static Mail withPriority(Mail mail, int priority) {
        mail.setAttribute(new Attribute(MailPrioritySupport.MAIL_PRIORITY, AttributeValue.of(priority)));
        return mail;
    }

    private static Mail mail(String name, MaybeSender sender, String... recipients) throws MessagingException {
        return FakeMail.builder()
            .name(name)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addFrom(sender.asOptional().map(address -> address.asString()).orElse("mailer-daemon@postino.test"))
                .addToRecipient(recipients)
                .setSubject("Quarterly figures")
                .setText("See attached."))
            .sender(sender)
            .recipients(recipients)
            .lastUpdated(Date.from(NOW))
            .build();
    }

    static List<QueuedMail> browse(ManageableMailQueue queue) throws MailQueueException {
        List<QueuedMail> mails = new ArrayList<>();
        ManageableMailQueue.MailQueueIterator items = queue.browse();
        items.forEachRemaining(item -> mails.add(QueuedMail.of(item)));
        items.close();
        return mails;
    }

    static Optional<QueuedMail> find(ManageableMailQueue queue, String name) throws MailQueueException {
        return browse(queue).stream().filter(mail -> mail.name().equals(name)).findFirst();
    }
}
