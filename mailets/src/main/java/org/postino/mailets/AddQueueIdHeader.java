package org.postino.mailets;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.once.NoParameters;
import org.postino.mailets.once.QueueRedelivery;

/**
 * Writes the queue's id of the message (the mail's name, which stays the same when the queue
 * delivers the message again after a crash) into the {@code X-Postino-Queue-Id} header, replacing
 * any header of that name that came from outside. It is the key {@link SkipDeliveredRecipients}
 * looks for, and lets an operator follow one message through the logs.
 *
 * <p>Put it first in the {@code root} processor, before any matcher can split the mail (a split
 * copy gets a new, random name):
 * <pre>{@code
 * <processor state="root">
 *     <mailet match="All" class="org.postino.mailets.AddQueueIdHeader"/>
 *     ...
 * }</pre>
 * It takes no parameters.
 */
public class AddQueueIdHeader extends GenericMailet {

    @Override
    public void init() throws MessagingException {
        NoParameters.check(this);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String current = mail.getMessage().getHeader(QueueRedelivery.HEADER, null);
        if (!mail.getName().equals(current)) {
            mail.getMessage().setHeader(QueueRedelivery.HEADER, mail.getName());
            mail.getMessage().saveChanges();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Stamps the queue id of the message into X-Postino-Queue-Id";
    }
}
