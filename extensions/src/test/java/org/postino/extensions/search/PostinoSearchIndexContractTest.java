package org.postino.extensions.search;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.james.mailbox.inmemory.InMemoryId;
import org.apache.james.mailbox.inmemory.InMemoryMessageId;
import org.apache.james.mailbox.inmemory.manager.InMemoryIntegrationResources;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.search.AbstractMessageSearchIndexTest;
import org.junit.jupiter.api.AfterEach;

import com.google.common.collect.ImmutableSet;

/** James's own search contract (apache-james-mailbox-store 3.8.1 tests jar), every test, against OpenSearch. */
class PostinoSearchIndexContractTest extends AbstractMessageSearchIndexTest {
    private MailIndexClient client;
    private PostinoSearchIndex index;

    @Override
    protected void initializeMailboxManager() throws Exception {
        client = SearchTestIndex.fresh();
        messageIdFactory = new InMemoryMessageId.Factory();
        InMemoryIntegrationResources resources = InMemoryIntegrationResources.builder()
            .preProvisionnedFakeAuthenticator()
            .fakeAuthorizator()
            .inVmEventBus()
            .defaultAnnotationLimits()
            .defaultMessageParser()
            .listeningSearchIndex(stage -> index = new PostinoSearchIndex(stage.getMapperFactory(), ImmutableSet.of(),
                stage.getSessionProvider(), client, SearchTestIndex.documents(), IndexBacklog.inMemory(),
                new InMemoryId.Factory(), messageIdFactory))
            .noPreDeletionHooks()
            .storeQuotaManager()
            .build();
        storeMailboxManager = resources.getMailboxManager();
        messageIdManager = resources.getMessageIdManager();
        messageSearchIndex = resources.getSearchIndex();
        eventBus = resources.getEventBus();
    }

    @AfterEach
    void dropIndex() throws Exception {
        client.client().indices().delete(d -> d.index(client.indexName()));
        client.close();
    }

    @Override
    protected void awaitMessageCount(List<MailboxId> mailboxIds, SearchQuery query, long messageCount) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            index.refresh();
            org.opensearch.client.opensearch._types.query_dsl.Query filter = mailboxIds.isEmpty()
                ? MailQuery.of(query.getCriteria())
                : MailQuery.inMailboxes(mailboxIds.stream().map(MailboxId::serialize).toList(), MailQuery.of(query.getCriteria()));
            return client.client().count(c -> c.index(client.indexName()).query(filter)).count() == messageCount;
        });
    }

    @Override
    protected MessageId initNewBasedMessageId() {
        return InMemoryMessageId.of(100);
    }

    @Override
    protected MessageId initOtherBasedMessageId() {
        return InMemoryMessageId.of(1000);
    }
}
