package org.postino.mailets;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.message.MessageHeaders;
import org.postino.mailets.once.NoParameters;
import org.postino.mailets.once.QueueRedelivery;

/**
 * Writes the queue's id of the message (the mail's name, which stays the same when the queue
 * delivers the message again after a crash) into the {@code X-Postino-Queue-Id} header, replacing
 * any header of that name that came from outside. It is the key {@link SkipDeliveredRecipients}
 * looks for, and lets an operator follow one message through the logs.
 *
 * <p>The field is written at the top of the header; the rest of the message stays byte for byte as it was
 * received. Nothing here parses the body, so mail that is not valid MIME (a malformed {@code Content-Type}, a
 * multipart without its start boundary, raw 8-bit header bytes) is stamped like any other (see
 * {@link org.postino.mailets.message.HeaderSafeMessage}, which the mail carries from here on).
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
        String[] current = mail.getMessage().getHeader(QueueRedelivery.HEADER);
        if (current == null || current.length != 1 || !mail.getName().equals(current[0].strip())) {
            MessageHeaders.set(mail, QueueRedelivery.HEADER, mail.getName());
        }
    }

    @Override
    public String getMailetInfo() {
        return "Stamps the queue id of the message into X-Postino-Queue-Id";
    }
}
