package org.postino.server.storage;

import java.time.Clock;
import java.util.EnumSet;

import javax.inject.Inject;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.openjpa.OpenJPAMailboxManager;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

/**
 * James's OpenJPA mailbox manager, telling what Postino's JPA store adds: stable message ids (messages can be read,
 * moved and flagged by id, which JMAP and IMAP OBJECTID need) and access control lists, of which the owner's rights
 * are kept and sharing with others is refused explicitly (see {@link OwnerOnlyAclMailboxMapper}).
 */
public class PostinoJpaMailboxManager extends OpenJPAMailboxManager {

    static final EnumSet<MailboxCapabilities> CAPABILITIES = EnumSet.of(MailboxCapabilities.UserFlag,
        MailboxCapabilities.Namespace, MailboxCapabilities.Move, MailboxCapabilities.Annotation, MailboxCapabilities.ACL);

    @Inject
    public PostinoJpaMailboxManager(JPAMailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                    MessageParser messageParser, MessageId.Factory messageIdFactory, EventBus eventBus,
                                    StoreMailboxAnnotationManager annotationManager, StoreRightManager storeRightManager,
                                    QuotaComponents quotaComponents, MessageSearchIndex index,
                                    ThreadIdGuessingAlgorithm threadIdGuessingAlgorithm, Clock clock) {
        super(mapperFactory, sessionProvider, messageParser, messageIdFactory, eventBus, annotationManager,
            storeRightManager, quotaComponents, index, threadIdGuessingAlgorithm, clock);
    }

    @Override
    public EnumSet<MailboxCapabilities> getSupportedMailboxCapabilities() {
        return CAPABILITIES;
    }

    @Override
    public EnumSet<MessageCapabilities> getSupportedMessageCapabilities() {
        return EnumSet.of(MessageCapabilities.UniqueID);
    }
}
