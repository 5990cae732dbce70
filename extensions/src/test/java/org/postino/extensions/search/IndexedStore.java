package org.postino.extensions.search;

import java.time.Duration;
import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.inmemory.InMemoryId;
import org.apache.james.mailbox.inmemory.InMemoryMessageId;
import org.apache.james.mailbox.inmemory.manager.InMemoryIntegrationResources;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.StoreMailboxManager;

import com.google.common.collect.ImmutableSet;

/**
 * James's in-memory mailbox store with a {@link PostinoSearchIndex} listening to it (or, from {@link #unindexed()},
 * James's default index), and one user's INBOX in it.
 */
record IndexedStore(StoreMailboxManager manager, PostinoSearchIndex index, MailboxSession session, MessageManager inbox) {

    /** Writes go to {@code client}; a failed write is retried after {@code retries} (null: the index's defaults). */
    static IndexedStore create(String user, MailIndexClient client, IndexBacklog backlog, List<Duration> retries) throws Exception {
        PostinoSearchIndex[] listening = new PostinoSearchIndex[1];
        InMemoryIntegrationResources resources = InMemoryIntegrationResources.builder()
            .preProvisionnedFakeAuthenticator()
            .fakeAuthorizator()
            .inVmEventBus()
            .defaultAnnotationLimits()
            .defaultMessageParser()
            .listeningSearchIndex(stage -> listening[0] = retries == null
                ? new PostinoSearchIndex(stage.getMapperFactory(), ImmutableSet.of(), stage.getSessionProvider(), client,
                    SearchTestIndex.documents(), backlog, new InMemoryId.Factory(), new InMemoryMessageId.Factory())
                : new PostinoSearchIndex(stage.getMapperFactory(), ImmutableSet.of(), stage.getSessionProvider(), client,
                    SearchTestIndex.documents(), backlog, new InMemoryId.Factory(), new InMemoryMessageId.Factory(), retries))
            .noPreDeletionHooks()
            .storeQuotaManager()
            .build();
        return withInbox(resources.getMailboxManager(), listening[0], user);
    }

    /** The store with James's own (scanning) index; {@link #index()} is null. */
    static IndexedStore unindexed(String user) throws Exception {
        return withInbox(InMemoryIntegrationResources.defaultResources().getMailboxManager(), null, user);
    }

    private static IndexedStore withInbox(StoreMailboxManager manager, PostinoSearchIndex index, String user) throws Exception {
        MailboxSession session = manager.createSystemSession(Username.of(user));
        MailboxPath inbox = MailboxPath.inbox(session);
        manager.createMailbox(inbox, session);
        return new IndexedStore(manager, index, session, manager.getMailbox(inbox, session));
    }
}
