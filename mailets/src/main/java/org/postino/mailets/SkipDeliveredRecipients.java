package org.postino.mailets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.MailboxMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.once.NoParameters;
import org.postino.mailets.once.QueueRedelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Makes local delivery exactly-once across a crash. When the server dies after a message was put
 * in a mailbox but before the queue heard that it was done, the queue hands the message out
 * again, marked as redelivered. For such a message only, this mailet looks in each local
 * recipient's mailboxes for a message carrying the same {@code X-Postino-Queue-Id} and drops the
 * recipients who already have it, so nobody gets it twice. Mail seen for the first time costs
 * nothing: it is not looked for. The look reads the mailboxes themselves (the headers of the
 * messages that arrived since the mail was queued), never the search index, which may be behind
 * or down right after a crash.
 *
 * <p>Needs {@link AddQueueIdHeader} first in the {@code root} processor and Postino's queue (which
 * sets the redelivered mark); on another queue it never acts. Put it right before
 * {@code LocalDelivery}:
 * <pre>{@code
 * <mailet match="RecipientIsLocal" class="org.postino.mailets.SkipDeliveredRecipients"/>
 * <mailet match="RecipientIsLocal" class="LocalDelivery"/>
 * }</pre>
 * It takes no parameters.
 */
public class SkipDeliveredRecipients extends GenericMailet {

    private static final Logger LOGGER = LoggerFactory.getLogger(SkipDeliveredRecipients.class);
    private static final int CHUNK = 100;

    private final MailboxManager mailboxManager;
    private final UsersRepository usersRepository;

    @Inject
    public SkipDeliveredRecipients(MailboxManager mailboxManager, UsersRepository usersRepository) {
        this.mailboxManager = mailboxManager;
        this.usersRepository = usersRepository;
    }

    @Override
    public void init() throws MessagingException {
        NoParameters.check(this);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (!QueueRedelivery.isRedelivered(mail)) {
            return;
        }
        String queueId = mail.getMessage().getHeader(QueueRedelivery.HEADER, null);
        if (queueId == null) {
            return;
        }
        List<MailAddress> remaining = new ArrayList<>();
        // the copy delivered before the crash arrived after the mail was queued (a day of margin for clocks)
        Date since = new Date(Math.min(Optional.ofNullable(mail.getLastUpdated()).map(Date::getTime).orElse(0L),
            System.currentTimeMillis()) - Duration.ofDays(1).toMillis());
        for (MailAddress recipient : mail.getRecipients()) {
            if (alreadyDelivered(recipient, queueId, since)) {
                LOGGER.info("{} already delivered to {} before a restart: not delivering it again", queueId, recipient);
            } else {
                remaining.add(recipient);
            }
        }
        mail.setRecipients(remaining);
        if (remaining.isEmpty()) {
            mail.setState(Mail.GHOST);
        }
    }

    private boolean alreadyDelivered(MailAddress recipient, String queueId, Date since) throws MessagingException {
        try {
            Username user = usersRepository.getUsername(recipient);
            MailboxSession session = mailboxManager.createSystemSession(user);
            try {
                List<MailboxMetaData> mailboxes = mailboxManager
                    .search(MailboxQuery.privateMailboxesBuilder(session).build(), session)
                    .collectList().block();
                for (MailboxMetaData mailbox : mailboxes) {
                    MessageManager messages = mailboxManager.getMailbox(mailbox.getId(), session);
                    if (deliveredInto(messages, session, queueId, since)) {
                        return true;
                    }
                }
                return false;
            } finally {
                mailboxManager.endProcessingRequest(session);
            }
        } catch (UsersRepositoryException | MailboxException e) {
            throw new MessagingException("cannot check whether " + queueId + " reached " + recipient, e);
        }
    }

    /**
     * Reads the mailbox itself, newest messages first, not a search index: an index may lag
     * behind (or be down) exactly after the crash this mailet is for. Stops at the first chunk of
     * messages that all arrived before {@code since}.
     */
    private static boolean deliveredInto(MessageManager messages, MailboxSession session, String queueId, Date since)
        throws MailboxException {
        long high = messages.getMetaData(MessageManager.MailboxMetaData.RecentMode.IGNORE, session,
            MessageManager.MailboxMetaData.FetchGroup.NO_COUNT).getUidNext().asLong() - 1;
        while (high >= 1) {
            long low = Math.max(1, high - CHUNK + 1);
            boolean allOlder = true;
            MessageResultIterator results = messages.getMessages(
                MessageRange.range(MessageUid.of(low), MessageUid.of(high)), FetchGroup.HEADERS, session);
            while (results.hasNext()) {
                MessageResult result = results.next();
                if (!result.getInternalDate().before(since)) {
                    allOlder = false;
                }
                Iterator<Header> headers = result.getHeaders().headers();
                while (headers.hasNext()) {
                    Header header = headers.next();
                    if (header.getName().equalsIgnoreCase(QueueRedelivery.HEADER) && header.getValue().trim().equals(queueId)) {
                        return true;
                    }
                }
            }
            if (allOlder) {
                return false;
            }
            high = low - 1;
        }
        return false;
    }

    @Override
    public String getMailetInfo() {
        return "Drops recipients who already received a redelivered message";
    }
}
