package org.postino.server.search;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import org.apache.james.backends.jpa.EntityManagerUtils;
import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.mail.MailboxMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapperFactory;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;

import reactor.core.publisher.Flux;

/**
 * James's scanning search (search.backend=scanning), refusing searches it cannot hold in memory.
 *
 * <p>James's scanning search reads every message of the searched mailboxes, content included, and keeps them all until
 * the search ends: in a 1 GB heap a search of a 100,000-message INBOX (530 MB of mail) ran the server out of memory
 * and took it down. Here a search first adds up the size of what it would read (one SQL sum); when that, plus about
 * {@value #PER_MESSAGE_OVERHEAD} bytes per message, exceeds a quarter of the heap, the search is refused with a clear
 * error (IMAP NO, a JMAP error) and the server keeps serving. The OpenSearch backend has no such limit.
 */
public class BoundedScanningSearchIndex extends SimpleMessageSearchIndex {
    /** What a message read for the scan costs besides its bytes (entity, properties, parsed header): measured roughly. */
    static final long PER_MESSAGE_OVERHEAD = 2_048;

    private final EntityManagerFactory entityManagerFactory;
    private final long budgetBytes;

    @Inject
    public BoundedScanningSearchIndex(MessageMapperFactory messageMapperFactory, MailboxMapperFactory mailboxMapperFactory,
                                      TextExtractor textExtractor, AttachmentContentLoader attachmentContentLoader,
                                      EntityManagerFactory entityManagerFactory) {
        this(messageMapperFactory, mailboxMapperFactory, textExtractor, attachmentContentLoader, entityManagerFactory,
            Runtime.getRuntime().maxMemory() / 4);
    }

    /** With a memory budget of its own (bytes a search may read). */
    public BoundedScanningSearchIndex(MessageMapperFactory messageMapperFactory, MailboxMapperFactory mailboxMapperFactory,
                               TextExtractor textExtractor, AttachmentContentLoader attachmentContentLoader,
                               EntityManagerFactory entityManagerFactory, long budgetBytes) {
        super(messageMapperFactory, mailboxMapperFactory, textExtractor, attachmentContentLoader);
        this.entityManagerFactory = entityManagerFactory;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public Flux<MessageUid> search(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) {
        MailboxException tooBig = tooBig(List.of(mailbox.getMailboxId()));
        if (tooBig != null) {
            return Flux.error(tooBig);
        }
        return super.search(session, mailbox, searchQuery);
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery, long limit)
            throws MailboxException {
        MailboxException tooBig = tooBig(mailboxIds);
        if (tooBig != null) {
            return Flux.error(tooBig);
        }
        return super.search(session, mailboxIds, searchQuery, limit);
    }

    /** Null when the scan fits in the budget, else the error that refuses it. */
    private MailboxException tooBig(Collection<MailboxId> mailboxIds) {
        List<Long> ids = mailboxIds.stream()
            .filter(JPAId.class::isInstance)
            .map(id -> ((JPAId) id).getRawId())
            .collect(Collectors.toList());
        if (ids.isEmpty()) {
            return null;
        }
        long[] countAndBytes;
        try {
            countAndBytes = countAndBytes(ids);
        } catch (PersistenceException e) {
            return new MailboxException("Search is not available right now: could not tell how big the mailboxes to search are", e);
        }
        long estimate = countAndBytes[1] + countAndBytes[0] * PER_MESSAGE_OVERHEAD;
        if (estimate <= budgetBytes) {
            return null;
        }
        return new MailboxException(String.format("Search is not available for mail this big with search.backend=scanning: "
                + "it would read %,d messages (%,d MB) into memory, more than this server allows (%,d MB, a quarter of its heap); "
                + "search.backend=opensearch has no such limit",
            countAndBytes[0], countAndBytes[1] >> 20, budgetBytes >> 20));
    }

    private long[] countAndBytes(List<Long> mailboxIds) {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            String placeholders = String.join(", ", java.util.Collections.nCopies(mailboxIds.size(), "?"));
            javax.persistence.Query query = manager.createNativeQuery("SELECT COUNT(*), SUM(MAIL_CONTENT_OCTETS_COUNT) FROM JAMES_MAIL"
                + " WHERE MAILBOX_ID IN (" + placeholders + ")");
            for (int i = 0; i < mailboxIds.size(); i++) {
                query.setParameter(i + 1, mailboxIds.get(i));
            }
            Object[] row = (Object[]) query.getSingleResult();
            return new long[] {asLong(row[0]), asLong(row[1])};
        } finally {
            EntityManagerUtils.safelyClose(manager);
        }
    }

    private static long asLong(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
