package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.inmemory.InMemoryId;
import org.apache.james.mailbox.inmemory.InMemoryMessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Flux;

/**
 * The index falls behind while OpenSearch cannot be written (here: nothing listens where the
 * listener writes), searches say so, and the catch-up repairs the mailbox from the store.
 */
class IndexCatchUpTest {
    private final String indexName = "test-" + UUID.randomUUID();
    private final MailIndexClient good = new MailIndexClient(List.of(SearchTestIndex.node()), null, null, indexName, 5_000, 30_000);

    @AfterEach
    void drop() throws Exception {
        good.client().indices().delete(d -> d.index(indexName));
        good.close();
    }

    @Test
    void aMailboxWrittenWhileOpenSearchIsDownIsRefusedThenCaughtUp() throws Exception {
        good.ensureIndex(1, 0);
        MailIndexClient down = new MailIndexClient(List.of(URI.create("http://127.0.0.251:9")), null, null, indexName, 500, 1_000);
        IndexBacklog backlog = IndexBacklog.inMemory();
        IndexedStore store = IndexedStore.create("alice", down, backlog, List.of());
        StoreMailboxManager manager = store.manager();
        MailboxSession session = store.session();
        MessageManager mailbox = store.inbox();
        for (String word : List.of("harbour", "harbour", "meadow")) {
            mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
                .setSubject("about a " + word).setBody("a note about a " + word, java.nio.charset.StandardCharsets.UTF_8)), session);
        }
        var mailboxId = mailbox.getMailboxEntity().getMailboxId();
        await().atMost(Duration.ofSeconds(30)).until(() -> backlog.isBehind(mailboxId));
        assertThatThrownBy(() -> Flux.from(mailbox.search(SearchQuery.of(SearchQuery.bodyContains("harbour")), session)).collectList().block())
            .hasMessageContaining("catching up");

        PostinoSearchIndex repairing = new PostinoSearchIndex(manager.getMapperFactory(), ImmutableSet.of(), manager,
            good, SearchTestIndex.documents(), backlog, new InMemoryId.Factory(), new InMemoryMessageId.Factory());
        IndexCatchUp catchUp = new IndexCatchUp(repairing, good, backlog, manager.getMapperFactory(), manager,
            new InMemoryId.Factory(), () -> true, Duration.ofSeconds(1));
        catchUp.runOnce();
        repairing.refresh();

        assertThat(backlog.isEmpty()).isTrue();
        assertThat(good.client().count(c -> c.index(indexName)).count()).isEqualTo(3);
        assertThat(Flux.from(repairing.search(session, mailbox.getMailboxEntity(), SearchQuery.of(SearchQuery.bodyContains("harbour"))))
            .collectList().block()).hasSize(2);
        down.close();
    }

    @Test
    void theStartUpCheckFindsMailThatWasNeverIndexed() throws Exception {
        good.ensureIndex(1, 0);
        IndexBacklog backlog = IndexBacklog.inMemory();
        IndexedStore store = IndexedStore.unindexed("bob");
        StoreMailboxManager manager = store.manager();
        MailboxSession session = store.session();
        MessageManager mailbox = store.inbox();
        mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
            .setSubject("lost").setBody("delivered while the server was being killed", java.nio.charset.StandardCharsets.UTF_8)), session);

        PostinoSearchIndex index = new PostinoSearchIndex(manager.getMapperFactory(), ImmutableSet.of(), manager,
            good, SearchTestIndex.documents(), backlog, new InMemoryId.Factory(), new InMemoryMessageId.Factory());
        IndexCatchUp catchUp = new IndexCatchUp(index, good, backlog, manager.getMapperFactory(), manager,
            new InMemoryId.Factory(), () -> true, Duration.ofSeconds(1));
        catchUp.runOnce();
        index.refresh();

        assertThat(backlog.isEmpty()).isTrue();
        assertThat(Flux.from(index.search(session, mailbox.getMailboxEntity(), SearchQuery.of(SearchQuery.bodyContains("killed"))))
            .collectList().block()).hasSize(1);
    }
}
