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
        appendNotes(mailbox, session, "harbour", "harbour", "meadow");
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

    @Test
    void catchingUpAMailboxWritesNothingForMessagesWhoseOnlyChangeWasRecent() throws Exception {
        good.ensureIndex(1, 0);
        IndexBacklog backlog = IndexBacklog.inMemory();
        IndexedStore store = IndexedStore.create("erin", good, backlog, List.of());
        StoreMailboxManager manager = store.manager();
        MailboxSession session = store.session();
        MessageManager mailbox = store.inbox();
        appendNotes(mailbox, session, "lake", "river", "sea");
        store.index().flushed().block(Duration.ofSeconds(60));
        // the first SELECT clears \Recent (the store's modseqs move on, the index is not written), then one message is
        // marked seen (written to the index)
        mailbox.getMetaData(MessageManager.MailboxMetaData.RecentMode.RESET, session, MessageManager.MailboxMetaData.FetchGroup.NO_COUNT);
        mailbox.setFlags(new javax.mail.Flags(javax.mail.Flags.Flag.SEEN), MessageManager.FlagsUpdateMode.ADD,
            org.apache.james.mailbox.model.MessageRange.one(org.apache.james.mailbox.MessageUid.of(1)), session);
        store.index().flushed().block(Duration.ofSeconds(60));
        store.index().refresh();

        IndexCatchUp catchUp = new IndexCatchUp(store.index(), good, backlog, manager.getMapperFactory(), manager,
            new InMemoryId.Factory(), () -> true, Duration.ofSeconds(1));
        IndexCatchUp.Result result = catchUp.reconcile(mailbox.getMailboxEntity().getMailboxId());

        assertThat(result.added).isZero();
        assertThat(result.updated).as("documents written again").isZero();
        assertThat(result.removed).isZero();
        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.flagIsSet(javax.mail.Flags.Flag.SEEN)), session))
            .collectList().block()).hasSize(1);
    }

    @Test
    void aFlagOtherThanRecentThatTheIndexMissedIsWrittenAgain() throws Exception {
        good.ensureIndex(1, 0); // dropped after each test
        javax.mail.Flags indexed = new javax.mail.Flags(javax.mail.Flags.Flag.FLAGGED);
        HitScanner.IndexHit hit = new HitScanner.IndexHit(1, null, 5, indexed, List.of());
        javax.mail.Flags recentCleared = new javax.mail.Flags(javax.mail.Flags.Flag.FLAGGED);
        javax.mail.Flags seenToo = new javax.mail.Flags(javax.mail.Flags.Flag.FLAGGED);
        seenToo.add(javax.mail.Flags.Flag.SEEN);

        assertThat(IndexCatchUp.onlyRecentDiffers(hit, message(recentCleared))).isTrue();
        assertThat(IndexCatchUp.onlyRecentDiffers(hit, message(seenToo))).isFalse();
        assertThat(IndexCatchUp.onlyRecentDiffers(new HitScanner.IndexHit(1, null, 5, null, List.of()), message(recentCleared)))
            .as("flags not read from the index: written again").isFalse();
    }

    private static org.apache.james.mailbox.store.mail.model.MailboxMessage message(javax.mail.Flags flags) {
        org.apache.james.mailbox.model.MessageId id = new InMemoryMessageId.Factory().generate();
        byte[] content = "Subject: x\r\n\r\nbody\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return new org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage(id,
            org.apache.james.mailbox.model.ThreadId.fromBaseMessageId(id), new java.util.Date(), content.length, 13,
            new org.apache.james.mailbox.model.ByteContent(content), flags,
            new org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder().build(), InMemoryId.of(1));
    }

    /** One message per word, about that word (recent, as delivered mail is). */
    private static void appendNotes(MessageManager mailbox, MailboxSession session, String... words) throws Exception {
        for (String word : words) {
            mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
                .setSubject("about a " + word).setBody("a note about a " + word, java.nio.charset.StandardCharsets.UTF_8)), session);
        }
    }
}
