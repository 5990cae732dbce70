package org.postino.mailets;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxMetaData;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.once.NoParameters;
import org.postino.mailets.once.QueueRedelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;

/**
 * Makes local delivery exactly-once across a crash. When the server dies after a message was put
 * in a mailbox but before the queue heard that it was done, the queue hands the message out
 * again, marked as redelivered. For such a message only, this mailet looks in each local
 * recipient's mailboxes for a message carrying the same {@code X-Postino-Queue-Id} and drops the
 * recipients who already have it, so nobody gets it twice. Mail seen for the first time costs
 * nothing: it is not searched.
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
        for (MailAddress recipient : mail.getRecipients()) {
            if (alreadyDelivered(recipient, queueId)) {
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

    private boolean alreadyDelivered(MailAddress recipient, String queueId) throws MessagingException {
        try {
            Username user = usersRepository.getUsername(recipient);
            MailboxSession session = mailboxManager.createSystemSession(user);
            try {
                List<MailboxMetaData> mailboxes = mailboxManager
                    .search(MailboxQuery.privateMailboxesBuilder(session).build(), session)
                    .collectList().block();
                SearchQuery query = SearchQuery.of(SearchQuery.headerContains(QueueRedelivery.HEADER, queueId));
                for (MailboxMetaData mailbox : mailboxes) {
                    MessageManager messages = mailboxManager.getMailbox(mailbox.getId(), session);
                    if (Flux.from(messages.search(query, session)).hasElements().block()) {
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

    @Override
    public String getMailetInfo() {
        return "Drops recipients who already received a redelivered message";
    }
}
