package org.postino.server.storage;

import java.time.Clock;

import javax.persistence.EntityManagerFactory;

import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.jpa.JPAAttachmentContentLoader;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.jpa.openjpa.OpenJPAMailboxManager;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.metrics.tests.RecordingMetricFactory;

/**
 * James's JPA mailbox manager and message id manager over Postino's mapper factory, built by hand the
 * way {@link JpaMailboxModule} has Guice build them (quotas off, search by scanning).
 */
record JpaMailboxStack(PostinoJpaMailboxSessionMapperFactory mapperFactory, PostinoMessageId.Factory messageIdFactory,
                       InVMEventBus eventBus, OpenJPAMailboxManager mailboxManager, StoreMessageIdManager messageIdManager) {

    static JpaMailboxStack create(EntityManagerFactory database, Clock clock) {
        PostinoMessageId.Factory messageIdFactory = new PostinoMessageId.Factory();
        PostinoJpaMailboxSessionMapperFactory mapperFactory = new PostinoJpaMailboxSessionMapperFactory(database,
            new JPAUidProvider(database), new JPAModSeqProvider(database), messageIdFactory, clock);

        InVMEventBus eventBus = new InVMEventBus(new InVmEventDelivery(new RecordingMetricFactory()),
            RetryBackoffConfiguration.DEFAULT, new MemoryEventDeadLetters());
        StoreRightManager rightManager = new StoreRightManager(mapperFactory, new UnionMailboxACLResolver(), eventBus);
        SessionProviderImpl sessionProvider = new SessionProviderImpl(null, null);
        QuotaComponents quotas = QuotaComponents.disabled(sessionProvider, mapperFactory);
        OpenJPAMailboxManager mailboxManager = new OpenJPAMailboxManager(mapperFactory, sessionProvider, new MessageParser(),
            messageIdFactory, eventBus, new StoreMailboxAnnotationManager(mapperFactory, rightManager), rightManager, quotas,
            new SimpleMessageSearchIndex(mapperFactory, mapperFactory, new DefaultTextExtractor(), new JPAAttachmentContentLoader()),
            new NaiveThreadIdGuessingAlgorithm(), clock);
        StoreMessageIdManager messageIdManager = new StoreMessageIdManager(rightManager, mapperFactory, eventBus,
            quotas.getQuotaManager(), quotas.getQuotaRootResolver(), PreDeletionHooks.NO_PRE_DELETION_HOOK);

        return new JpaMailboxStack(mapperFactory, messageIdFactory, eventBus, mailboxManager, messageIdManager);
    }
}
