package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAAttachmentContentLoader;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postino.server.search.BoundedScanningSearchIndex;

/** The scanning search refuses, with a clear error, a search that would read more mail into memory than it allows. */
class BoundedScanningSearchIndexTest {
    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("boundedScanning");

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }

    @Test
    void searchesWithinTheBudgetWorkAndBiggerOnesAreRefused() throws Exception {
        JpaMailboxStack stack = JpaMailboxStack.create(DATABASE, Clock.systemUTC());
        MailboxSession session = stack.mailboxManager().createSystemSession(Username.of("erin"));
        MailboxId inbox = stack.mailboxManager().createMailbox(MailboxPath.inbox(session), session).get();
        MessageManager mailbox = stack.mailboxManager().getMailbox(inbox, session);
        for (int n = 0; n < 20; n++) {
            mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
                .setSubject("ledger " + n).setBody(n % 2 == 0 ? "quarterly ledger figures" : "lunch", StandardCharsets.UTF_8)), session);
        }
        SearchQuery ledger = SearchQuery.of(SearchQuery.bodyContains("ledger"));

        BoundedScanningSearchIndex roomy = index(stack, 100L << 20);
        List<MessageUid> found = roomy.search(session, mailbox.getMailboxEntity(), ledger).collectList().block();
        assertThat(found).hasSize(10);
        assertThat(roomy.search(session, List.of(inbox), ledger, 100).collectList().block()).hasSize(10);

        // 20 messages cost more than 20 x 2 KB: a 30 KB budget refuses both kinds of search
        BoundedScanningSearchIndex tight = index(stack, 30 * 1024);
        assertThatThrownBy(() -> tight.search(session, mailbox.getMailboxEntity(), ledger).collectList().block())
            .hasCauseInstanceOf(MailboxException.class)
            .cause().hasMessageContaining("20 messages").hasMessageContaining("search.backend=opensearch");
        assertThatThrownBy(() -> tight.search(session, List.of(inbox), ledger, 100).collectList().block())
            .hasCauseInstanceOf(MailboxException.class);
    }

    private static BoundedScanningSearchIndex index(JpaMailboxStack stack, long budget) {
        return new BoundedScanningSearchIndex(stack.mapperFactory(), stack.mapperFactory(), new DefaultTextExtractor(),
            new JPAAttachmentContentLoader(), DATABASE, budget);
    }
}
