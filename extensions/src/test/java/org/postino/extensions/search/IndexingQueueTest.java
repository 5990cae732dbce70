package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import reactor.core.publisher.Flux;

/**
 * New mail is queued for the index: a delivery does not wait for OpenSearch (here: not even started
 * yet), and the mail is indexed, in bulk, once it answers.
 */
class IndexingQueueTest {
    private final String indexName = "test-" + UUID.randomUUID();
    private final CompletableFuture<List<URI>> hosts = new CompletableFuture<>();
    private final MailIndexClient client = new MailIndexClient(hosts, null, null, indexName, 5_000, 30_000);

    @AfterEach
    void drop() throws Exception {
        client.client().indices().delete(d -> d.index(indexName));
        client.close();
    }

    @Test
    void deliveriesDoNotWaitForTheIndexAndAreIndexedTogetherOnceItAnswers() throws Exception {
        IndexedStore store = IndexedStore.create("carol", client, IndexBacklog.inMemory(), null);
        PostinoSearchIndex[] listening = {store.index()};
        MailboxSession session = store.session();
        MessageManager mailbox = store.inbox();

        long started = System.nanoTime();
        for (int n = 0; n < 20; n++) {
            mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
                .setSubject("lantern " + n).setBody("a note about lanterns", StandardCharsets.UTF_8)), session);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(listening[0].writeCounts()[0]).isZero();

        hosts.complete(List.of(SearchTestIndex.node()));
        listening[0].flushed().block(Duration.ofSeconds(60));
        listening[0].refresh();

        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.bodyContains("lanterns")), session)).collectList().block())
            .hasSize(20);
        // the 20 waited together for the index: far fewer requests than messages
        assertThat(listening[0].writeCounts()[0]).isLessThan(5);
    }
    @Test
    void clearingRecentWritesNothingToTheIndexAndSearchesForRecentAskTheStore() throws Exception {
        IndexedStore store = IndexedStore.create("dave", client, IndexBacklog.inMemory(), null);
        PostinoSearchIndex listening = store.index();
        MailboxSession session = store.session();
        MessageManager mailbox = store.inbox();
        for (int n = 0; n < 30; n++) {
            mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of() // recent, as delivered mail is
                .setSubject("beacon " + n).setBody("a beacon", StandardCharsets.UTF_8)), session);
        }

        // the first SELECT clears \Recent on all of them while OpenSearch is still unreachable: it is not held up
        MessageManager.MailboxMetaData selected = CompletableFuture.supplyAsync(() -> {
            try {
                return mailbox.getMetaData(MessageManager.MailboxMetaData.RecentMode.RESET, session,
                    MessageManager.MailboxMetaData.FetchGroup.NO_COUNT);
            } catch (MailboxException e) {
                throw new IllegalStateException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(selected.getRecent()).hasSize(30);

        hosts.complete(List.of(SearchTestIndex.node()));
        listening.flushed().block(Duration.ofSeconds(60));
        long[] afterDelivery = listening.writeCounts().clone();

        // a second session's reset finds nothing; a reset of new mail writes nothing either
        mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
            .setSubject("beacon late").setBody("a late beacon", StandardCharsets.UTF_8)), session);
        listening.flushed().block(Duration.ofSeconds(60));
        long[] afterLateDelivery = listening.writeCounts().clone();
        mailbox.getMetaData(MessageManager.MailboxMetaData.RecentMode.RESET, session, MessageManager.MailboxMetaData.FetchGroup.NO_COUNT);
        listening.flushed().block(Duration.ofSeconds(60));
        assertThat(listening.writeCounts()).as("requests and documents written: the reset adds none").isEqualTo(afterLateDelivery);
        assertThat(afterLateDelivery).isNotEqualTo(afterDelivery);
        listening.refresh();

        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.bodyContains("beacon"),
                SearchQuery.flagIsUnSet(Flags.Flag.RECENT)), session)).collectList().block())
            .hasSize(31);
        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.flagIsSet(Flags.Flag.RECENT)), session)).collectList().block())
            .isEmpty();

        // recent mail is found as recent: the store says which it is
        mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
            .setSubject("beacon newest").setBody("the newest beacon", StandardCharsets.UTF_8)), session);
        listening.flushed().block(Duration.ofSeconds(60));
        listening.refresh();
        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.flagIsSet(Flags.Flag.RECENT)), session)).collectList().block())
            .hasSize(1);
        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.or(SearchQuery.flagIsSet(Flags.Flag.RECENT),
                SearchQuery.subject("beacon 7"))), session)).collectList().block())
            .hasSize(2);
    }
}
