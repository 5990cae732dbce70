package org.postino.extensions.search;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.mailbox.inmemory.InMemoryId;
import org.apache.james.mailbox.inmemory.InMemoryMessageId;
import org.apache.james.mailbox.inmemory.manager.InMemoryIntegrationResources;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndexContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import com.google.common.collect.ImmutableSet;

/** James's ListeningMessageSearchIndexContract (indexed flags), every test, against OpenSearch. */
class ListeningContractTest implements ListeningMessageSearchIndexContract {
    private MailIndexClient client;
    private PostinoSearchIndex index;
    private MailboxSession session;
    private Mailbox mailbox;

    @BeforeEach
    void setUp() throws Exception {
        client = SearchTestIndex.fresh();
        InMemoryIntegrationResources resources = InMemoryIntegrationResources.defaultResources();
        index = new PostinoSearchIndex(resources.getMailboxManager().getMapperFactory(), ImmutableSet.of(),
            resources.getMailboxManager(), client, SearchTestIndex.documents(), IndexBacklog.inMemory(),
            new InMemoryId.Factory(), new InMemoryMessageId.Factory());
        Username user = Username.of("alice");
        session = MailboxSessionUtil.create(user);
        mailbox = new Mailbox(MailboxPath.inbox(user), UidValidity.of(42), InMemoryId.of(7));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.client().indices().delete(d -> d.index(client.indexName()));
        client.close();
    }

    @Override
    public ListeningMessageSearchIndex testee() {
        return index;
    }

    @Override
    public MailboxSession session() {
        return session;
    }

    @Override
    public Mailbox mailbox() {
        return mailbox;
    }
}
