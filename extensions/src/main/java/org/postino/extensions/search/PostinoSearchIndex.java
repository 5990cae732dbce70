package org.postino.extensions.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxEvents.MailboxEvent;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Postino's mailbox search index: mailbox events keep an OpenSearch index up to date; IMAP SEARCH,
 * ESEARCH and JMAP Email/query read it.
 *
 * <p>When OpenSearch cannot be written (down, slow, full), delivery is not held up: the mailbox is
 * recorded in the {@link IndexBacklog} and {@link IndexCatchUp} brings its index up to date once
 * OpenSearch answers again. Until then a search of that mailbox fails with a message saying so,
 * rather than answer from an index known to be incomplete.
 */
public class PostinoSearchIndex extends ListeningMessageSearchIndex {
    private static final Logger LOGGER = LoggerFactory.getLogger(PostinoSearchIndex.class);
    /** Operations a bulk request carries at most; also the messages of an Added event indexed as one write. */
    private static final int BULK_ITEMS = 100;
    /** Writes waiting whose documents may be built ahead (an Added event beyond them waits to be taken in). */
    private static final int READY_AHEAD = 128;
    private static final List<Duration> RETRIES = List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
    private static final Group GROUP = new PostinoSearchIndexGroup();
    /**
     * Threads of their own that read new mail from the store and build its documents: not Reactor's
     * bounded-elastic ones, which the store's own reads may need while these wait for them.
     */
    private static final ExecutorService PREPARATION = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), new ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "postino-search-prepare-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });

    public static class PostinoSearchIndexGroup extends Group {
    }

    private final MailboxSessionMapperFactory factory;
    private final SessionProvider sessionProvider;
    private final MailIndexClient index;
    private final MailDocument documents;
    private final IndexBacklog backlog;
    private final MailboxId.Factory mailboxIdFactory;
    private final MessageId.Factory messageIdFactory;
    private final IndexWriter writer;
    private final HitScanner hits;

    @Inject
    public PostinoSearchIndex(MailboxSessionMapperFactory factory, Set<SearchOverride> searchOverrides,
                              SessionProvider sessionProvider, MailIndexClient index, MailDocument documents,
                              IndexBacklog backlog, MailboxId.Factory mailboxIdFactory, MessageId.Factory messageIdFactory) {
        this(factory, searchOverrides, sessionProvider, index, documents, backlog, mailboxIdFactory, messageIdFactory, RETRIES);
    }

    /** @param retries the delays after which a failed request is sent again, before its writes fail */
    public PostinoSearchIndex(MailboxSessionMapperFactory factory, Set<SearchOverride> searchOverrides,
                              SessionProvider sessionProvider, MailIndexClient index, MailDocument documents,
                              IndexBacklog backlog, MailboxId.Factory mailboxIdFactory, MessageId.Factory messageIdFactory,
                              List<Duration> retries) {
        super(factory, searchOverrides, sessionProvider);
        this.factory = factory;
        this.sessionProvider = sessionProvider;
        this.index = index;
        this.documents = documents;
        this.backlog = backlog;
        this.mailboxIdFactory = mailboxIdFactory;
        this.messageIdFactory = messageIdFactory;
        this.hits = new HitScanner(index);
        this.writer = new IndexWriter(index, BULK_ITEMS, READY_AHEAD, retries, Schedulers.boundedElastic(), PREPARATION);
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
        return EnumSet.of(MailboxManager.SearchCapabilities.MultimailboxSearch,
            MailboxManager.SearchCapabilities.Text,
            MailboxManager.SearchCapabilities.FullText,
            MailboxManager.SearchCapabilities.Attachment,
            MailboxManager.SearchCapabilities.AttachmentFileName,
            MailboxManager.SearchCapabilities.PartialEmailMatch);
    }

    /**
     * New mail is indexed after the event is handled, not while it is: James delivers the event while
     * it holds the mailbox's lock, so one mailbox's deliveries would otherwise wait, one at a time, for a
     * request and a translog sync each. Queued, the documents of mail arriving together go in one bulk
     * request. Expunges, flag changes and deletions are written before their event is handled, in line
     * after the mail queued before them.
     *
     * <p>A write that still fails after a few quick retries puts its mailbox in the backlog instead of
     * failing the event: the catch-up repairs the mailbox as a whole from the store. Mail queued but not
     * yet written when the server stops is found by the start-up check (counts differ) and indexed then.
     */
    @Override
    public Mono<Void> reactiveEvent(Event event) {
        MailboxId mailboxId = ((MailboxEvent) event).getMailboxId();
        if (event instanceof MailboxEvents.Added) {
            return indexLater((MailboxEvents.Added) event);
        }
        return super.reactiveEvent(event)
            .onErrorResume(e -> {
                backlog.markBehind(mailboxId, rootMessage(e));
                return Mono.empty();
            });
    }

    /** Queues the indexing of the added messages; completes once the queue has taken them in. */
    private Mono<Void> indexLater(MailboxEvents.Added added) {
        MailboxId mailboxId = added.getMailboxId();
        List<MessageUid> uids = List.copyOf(added.getUids());
        List<CompletableFuture<Void>> taken = new ArrayList<>();
        for (int from = 0; from < uids.size(); from += BULK_ITEMS) {
            List<MessageUid> chunk = uids.subList(from, Math.min(uids.size(), from + BULK_ITEMS));
            List<CompletableFuture<Void>> write = writer.prepareAndWrite(() -> indexOperations(added.getUsername(), mailboxId, chunk));
            write.get(1).whenComplete((ok, e) -> {
                if (e != null) {
                    backlog.markBehind(mailboxId, rootMessage(e));
                }
            });
            taken.add(write.get(0));
        }
        return Mono.fromFuture(CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new)));
    }

    /** Index operations for the messages of the mailbox with these uids, read from the store (blocking). */
    private List<BulkOperation> indexOperations(Username username, MailboxId mailboxId, List<MessageUid> uids) {
        MailboxSession session = sessionProvider.createSystemSession(username);
        try {
            Mailbox mailbox = factory.getMailboxMapper(session).findMailboxById(mailboxId)
                .onErrorResume(MailboxNotFoundException.class, e -> Mono.empty())
                .block();
            if (mailbox == null) {
                return List.of(); // deleted since: its MailboxDeletion event clears it
            }
            MessageMapper messages = factory.getMessageMapper(session);
            List<BulkOperation> operations = new ArrayList<>();
            for (MessageRange range : MessageRange.toRanges(uids)) {
                for (MailboxMessage message : messages.findInMailboxReactive(mailbox, range, MessageMapper.FetchType.FULL, -1)
                         .toIterable()) {
                    operations.add(indexOperation(message));
                }
            }
            return operations;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            factory.endProcessingRequest(session);
        }
    }

    private BulkOperation indexOperation(MailboxMessage message) throws IOException {
        Map<String, Object> doc = documents.build(message);
        return BulkOperation.of(op -> op.index(i -> i.index(index.indexName())
            .id(MailDocument.documentId(message))
            .routing(message.getMailboxId().serialize())
            .document(doc)));
    }

    /** Builds the message's document here and now; completes once it is written. */
    CompletableFuture<Void> write(MailboxMessage message) {
        try {
            return writer.write(List.of(indexOperation(message)), false);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes once every write queued so far is done (tests, the catch-up, shutting down). */
    public Mono<Void> flushed() {
        return Mono.fromFuture(writer::flushed);
    }

    /** Bulk requests sent so far and the operations they carried. */
    long[] writeCounts() {
        return writer.counts();
    }

    /** Waits a little for the queued writes, so that a clean stop leaves nothing for the start-up check. */
    @PreDestroy
    public void close() {
        try {
            flushed().block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOGGER.warn("Search index: writes still queued at shutdown; the start-up check will index them: {}", e.toString());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    @Override
    public Mono<Void> add(MailboxSession session, Mailbox mailbox, MailboxMessage message) {
        return Mono.fromCallable(() -> indexOperation(message))
            .flatMap(operation -> Mono.fromFuture(writer.write(List.of(operation), false)));
    }

    @Override
    public Mono<Void> delete(MailboxSession session, MailboxId mailboxId, Collection<MessageUid> expungedUids) {
        if (expungedUids.isEmpty()) {
            return Mono.empty();
        }
        String routing = mailboxId.serialize();
        List<BulkOperation> operations = expungedUids.stream()
            .map(uid -> BulkOperation.of(op -> op.delete(d -> d.index(index.indexName())
                .id(MailDocument.documentId(routing, uid.asLong())).routing(routing))))
            .toList();
        return Mono.fromFuture(() -> writer.write(operations, true));
    }

    @Override
    public Mono<Void> deleteAll(MailboxSession session, MailboxId mailboxId) {
        // in line: mail of this mailbox queued before must not be written after
        return Mono.fromFuture(() -> writer.runInLine(() -> {
            try {
                return index.async().deleteByQuery(d -> d.index(index.indexName())
                    .routing(mailboxId.serialize())
                    .conflicts(org.opensearch.client.opensearch._types.Conflicts.Proceed)
                    .query(q -> q.term(t -> t.field("mailboxId").value(FieldValue.of(mailboxId.serialize())))));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }));
    }

    @Override
    public Mono<Void> update(MailboxSession session, MailboxId mailboxId, List<UpdatedFlags> updatedFlagsList) {
        if (updatedFlagsList.isEmpty()) {
            return Mono.empty();
        }
        List<UpdatedFlags> changed = updatedFlagsList.stream().filter(updated -> !onlyRecentChanged(updated)).toList();
        if (changed.isEmpty()) {
            // \Recent is not kept in the index (searches ask the store which messages are recent, MailQuery#of): the
            // first SELECT after mass delivery clears it on every new message, and re-indexing them all for it kept
            // OpenSearch busy for minutes, every delivery to the mailbox waiting behind it
            return Mono.empty();
        }
        String routing = mailboxId.serialize();
        List<BulkOperation> operations = new ArrayList<>();
        for (UpdatedFlags updated : changed) {
            Map<String, Object> doc = MailDocument.flags(updated.getNewFlags());
            doc.put("modSeq", updated.getModSeq().asLong());
            operations.add(BulkOperation.of(op -> op.update(u -> u.index(index.indexName())
                .id(MailDocument.documentId(routing, updated.getUid().asLong()))
                .routing(routing)
                .document(doc))));
        }
        return Mono.fromFuture(() -> writer.write(operations, true));
    }

    /** Whether \Recent is the only flag this update changed. */
    static boolean onlyRecentChanged(UpdatedFlags updated) {
        Flags before = new Flags(updated.getOldFlags());
        Flags after = new Flags(updated.getNewFlags());
        before.remove(Flags.Flag.RECENT);
        after.remove(Flags.Flag.RECENT);
        return before.equals(after);
    }

    @Override
    public Mono<Flags> retrieveIndexedFlags(Mailbox mailbox, MessageUid uid) {
        String routing = mailbox.getMailboxId().serialize();
        return future(() -> index.async().get(g -> g.index(index.indexName())
                .id(MailDocument.documentId(routing, uid.asLong())).routing(routing), JsonData.class))
            .filter(response -> response.found() && response.source() != null)
            .map(response -> flags(response.source().toJson().asJsonObject()));
    }

    private static Flags flags(JsonObject source) {
        Flags flags = new Flags();
        for (Flags.Flag flag : List.of(Flags.Flag.ANSWERED, Flags.Flag.DELETED, Flags.Flag.DRAFT,
            Flags.Flag.FLAGGED, Flags.Flag.RECENT, Flags.Flag.SEEN)) {
            if (source.getBoolean(MailQuery.flagField(flag), false)) {
                flags.add(flag);
            }
        }
        JsonValue userFlags = source.get("userFlags");
        if (userFlags instanceof JsonArray) {
            ((JsonArray) userFlags).getValuesAs(JsonString.class).forEach(flag -> flags.add(flag.getString()));
        }
        return flags;
    }

    @Override
    protected Flux<MessageUid> doSearch(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        if (session == null) {
            throw new IllegalArgumentException("'session' is mandatory");
        }
        checkUpToDate(List.of(mailbox.getMailboxId()));
        Query query = MailQuery.inMailboxes(List.of(mailbox.getMailboxId().serialize()),
            MailQuery.of(searchQuery.getCriteria(), layout(), recent(session, List.of(mailbox), searchQuery)));
        List<SortOptions> sorts = MailQuery.sorts(searchQuery.getSorts(), false);
        return hits.scan(query, sorts, Long.MAX_VALUE, Long.MAX_VALUE, List.of("uid"))
            .map(hit -> MessageUid.of(hit.uid()))
            .onErrorMap(e -> !(e instanceof MailboxException), PostinoSearchIndex::unavailable);
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery, long limit) throws MailboxException {
        if (session == null) {
            throw new IllegalArgumentException("'session' is mandatory");
        }
        if (mailboxIds.isEmpty() || limit <= 0) {
            return Flux.empty();
        }
        checkUpToDate(mailboxIds);
        Query recent = null;
        if (MailQuery.mentionsRecent(searchQuery.getCriteria())) {
            MailboxMapper mailboxMapper = factory.getMailboxMapper(session);
            List<Mailbox> mailboxes = new ArrayList<>();
            for (MailboxId mailboxId : mailboxIds) {
                mailboxes.add(mailboxMapper.findMailboxById(mailboxId).block());
            }
            recent = recent(session, mailboxes, searchQuery);
        }
        Query query = MailQuery.inMailboxes(mailboxIds.stream().map(MailboxId::serialize).toList(),
            MailQuery.of(searchQuery.getCriteria(), layout(), recent));
        List<SortOptions> sorts = MailQuery.sorts(searchQuery.getSorts(), true);
        Set<String> seen = new LinkedHashSet<>();
        return hits.scan(query, sorts, Long.MAX_VALUE, limit, List.of("messageId"))
            .map(hit -> hit.messageId() == null ? "" : hit.messageId())
            .filter(id -> !id.isEmpty() && seen.add(id))
            .take(limit)
            .map(messageIdFactory::fromString)
            .onErrorMap(e -> !(e instanceof MailboxException), PostinoSearchIndex::unavailable);
    }

    /** What matches the messages of these mailboxes that are \Recent now, as the store says; null if not asked. */
    private Query recent(MailboxSession session, List<Mailbox> mailboxes, SearchQuery searchQuery) throws MailboxException {
        if (!MailQuery.mentionsRecent(searchQuery.getCriteria())) {
            return null;
        }
        MessageMapper messageMapper = factory.getMessageMapper(session);
        List<Query> perMailbox = new ArrayList<>();
        for (Mailbox mailbox : mailboxes) {
            List<Long> uids = messageMapper.findRecentMessageUidsInMailbox(mailbox).stream()
                .map(MessageUid::asLong).sorted().toList();
            perMailbox.add(MailQuery.recentUids(mailbox.getMailboxId().serialize(), uids));
        }
        return perMailbox.size() == 1 ? perMailbox.get(0)
            : Query.of(q -> q.bool(b -> b.should(perMailbox).minimumShouldMatch("1")));
    }

    private int layout() throws MailboxException {
        try {
            return index.layout();
        } catch (IOException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    private void checkUpToDate(Collection<MailboxId> mailboxIds) throws MailboxException {
        for (MailboxId mailboxId : mailboxIds) {
            if (backlog.isBehind(mailboxId)) {
                throw new MailboxException("Search is not available for this mailbox right now: its search index is catching up"
                    + " after an outage; try again shortly");
            }
        }
    }

    private static MailboxException unavailable(Throwable e) {
        LOGGER.warn("Search failed: the search index (OpenSearch) did not answer: {}", rootMessage(e));
        return new MailboxException("Search is not available right now: the search index does not answer", e);
    }

    /** Every indexed (uid, modSeq, flags) of a mailbox, in uid order. */
    Flux<HitScanner.IndexHit> indexedMessages(MailboxId mailboxId) {
        Query query = MailQuery.inMailboxes(List.of(mailboxId.serialize()), Query.of(q -> q.matchAll(m -> m)));
        List<SortOptions> byUid = List.of(SortOptions.of(s -> s.field(f -> f.field("uid"))));
        List<String> fields = new ArrayList<>(List.of("uid", "modSeq"));
        fields.addAll(HitScanner.FLAG_FIELDS);
        return hits.scan(query, byUid, Long.MAX_VALUE, Long.MAX_VALUE, fields);
    }

    /** Makes what was written so far visible to searches (tests, and the catch-up's checks). */
    public void refresh() throws java.io.IOException {
        index.client().indices().refresh(r -> r.index(index.indexName()));
    }

    static <T> Mono<T> future(ThrowingSupplier<CompletableFuture<T>> call) {
        return Mono.fromFuture(() -> {
            try {
                return call.get();
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    @FunctionalInterface
    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    MailboxId.Factory mailboxIdFactory() {
        return mailboxIdFactory;
    }
}
