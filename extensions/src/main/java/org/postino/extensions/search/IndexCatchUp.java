package org.postino.extensions.search;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.opensearch.client.opensearch._types.aggregations.StringTermsBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;

/**
 * Brings the search index back in line with the mailboxes, without a full reindex.
 *
 * <ul>
 *   <li>Once at start-up (in the background, once OpenSearch answers): the number of messages of
 *   every mailbox in the store is compared with the number indexed; a mailbox that differs (mail
 *   delivered while the index was down, or while the server was being killed) goes into the
 *   backlog.</li>
 *   <li>Every few seconds: each mailbox of the backlog is reconciled. Messages missing from the
 *   index are indexed, messages whose flags changed are indexed again, messages gone from the
 *   mailbox are removed. Then the mailbox leaves the backlog and can be searched again.</li>
 * </ul>
 */
public class IndexCatchUp implements AutoCloseable, org.apache.james.lifecycle.api.Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(IndexCatchUp.class);
    private static final Username SYSTEM = Username.of("postino-search-catch-up");
    /** Messages of a mailbox being caught up whose documents are built and not yet written, at most. */
    private static final int WRITES_UNDER_WAY = 200;

    private final PostinoSearchIndex index;
    private final MailIndexClient client;
    private final IndexBacklog backlog;
    private final MailboxSessionMapperFactory mappers;
    private final SessionProvider sessions;
    private final MailboxId.Factory mailboxIds;
    private final IndexSetup setup;
    private final Duration period;
    private final AtomicBoolean countsChecked = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private ScheduledExecutorService executor;
    private volatile boolean reportedDown;

    /** Creates the index when it is missing; true once it exists. */
    public interface IndexSetup {
        boolean ready();
    }

    public IndexCatchUp(PostinoSearchIndex index, MailIndexClient client, IndexBacklog backlog,
                        MailboxSessionMapperFactory mappers, SessionProvider sessions, MailboxId.Factory mailboxIds,
                        IndexSetup setup, Duration period) {
        this.index = index;
        this.client = client;
        this.backlog = backlog;
        this.mappers = mappers;
        this.sessions = sessions;
        this.mailboxIds = mailboxIds;
        this.setup = setup;
        this.period = period;
    }

    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "postino-search-catch-up");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::runQuietly, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private void runQuietly() {
        try {
            runOnce();
            if (reportedDown) {
                LOGGER.info("Search index: OpenSearch answers again");
                reportedDown = false;
            }
        } catch (Exception e) {
            if (!reportedDown) {
                LOGGER.warn("Search index: OpenSearch does not answer ({}); mail is still delivered, the index will catch up",
                    e.toString());
                reportedDown = true;
            }
        }
    }

    /** One pass: the start-up count check if not done yet, then every mailbox of the backlog. */
    public void runOnce() throws Exception {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!setup.ready()) {
                throw new IllegalStateException("the search index cannot be created yet");
            }
            if (!countsChecked.get()) {
                checkCounts();
                countsChecked.set(true);
            }
            Map<String, Long> behind = backlog.snapshot();
            int left = behind.size();
            for (Map.Entry<String, Long> entry : behind.entrySet()) {
                Result result = reconcile(mailboxIds.fromString(entry.getKey()));
                left--;
                if (backlog.caughtUp(entry.getKey(), entry.getValue())) {
                    LOGGER.info("Search index: mailbox {} caught up ({} indexed, {} re-indexed, {} removed); {} mailbox(es) left",
                        entry.getKey(), result.added, result.updated, result.removed, left);
                }
            }
        } finally {
            running.set(false);
        }
    }

    /** Compares message counts per mailbox between the store and the index. */
    void checkCounts() throws Exception {
        long started = System.currentTimeMillis();
        index.refresh();
        Map<String, Long> indexed = new HashMap<>();
        var response = client.client().search(s -> s.index(client.indexName()).size(0)
            .aggregations("mailboxes", a -> a.terms(t -> t.field("mailboxId").size(Integer.MAX_VALUE / 2))), Void.class);
        List<StringTermsBucket> buckets = response.aggregations().get("mailboxes").sterms().buckets().array();
        for (StringTermsBucket bucket : buckets) {
            indexed.put(bucket.key(), bucket.docCount());
        }
        MailboxSession session = sessions.createSystemSession(SYSTEM);
        MessageMapper messages = mappers.getMessageMapper(session);
        long[] checked = {0, 0};
        mappers.getMailboxMapper(session).list().toStream().forEach(mailbox -> {
            try {
                long stored = messages.countMessagesInMailbox(mailbox);
                long inIndex = indexed.getOrDefault(mailbox.getMailboxId().serialize(), 0L);
                checked[0]++;
                if (stored != inIndex) {
                    checked[1]++;
                    backlog.markBehind(mailbox.getMailboxId(), stored + " stored, " + inIndex + " indexed at start-up");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        mappers.endProcessingRequest(session);
        LOGGER.info("Search index: start-up check of {} mailbox(es) in {} ms, {} to catch up",
            checked[0], System.currentTimeMillis() - started, checked[1]);
    }

    static final class Result {
        int added;
        int updated;
        int removed;
    }

    Result reconcile(MailboxId mailboxId) throws Exception {
        Result result = new Result();
        MailboxSession session = sessions.createSystemSession(SYSTEM);
        try {
            Mailbox mailbox = mappers.getMailboxMapper(session).findMailboxById(mailboxId).blockOptional().orElse(null);
            if (mailbox == null) {
                index.deleteAll(session, mailboxId).block();
                return result;
            }
            Map<Long, HitScanner.IndexHit> inIndex = new HashMap<>();
            index.indexedMessages(mailboxId).toStream()
                .forEach(hit -> inIndex.put(hit.uid(), hit));
            MessageMapper messages = mappers.getMessageMapper(session);
            Flux<MailboxMessage> stored = messages.findInMailboxReactive(mailbox, MessageRange.all(),
                MessageMapper.FetchType.METADATA, -1);
            List<MailboxMessage> metadata = stored.collectList().block();
            // read and build here, one message at a time; the writes go out in bulk requests meanwhile
            List<CompletableFuture<Void>> writing = new ArrayList<>();
            for (MailboxMessage message : metadata) {
                HitScanner.IndexHit indexed = inIndex.remove(message.getUid().asLong());
                if (indexed == null || (indexed.modSeq() != message.getModSeq().asLong() && !onlyRecentDiffers(indexed, message))) {
                    Long indexedModSeq = indexed == null ? null : indexed.modSeq();
                    MailboxMessage full = messages.findInMailboxReactive(mailbox, MessageRange.one(message.getUid()),
                        MessageMapper.FetchType.FULL, 1).blockFirst();
                    if (full != null) {
                        writing.add(index.write(full));
                        if (indexedModSeq == null) {
                            result.added++;
                        } else {
                            result.updated++;
                        }
                    }
                }
                if (writing.size() >= WRITES_UNDER_WAY) {
                    CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).join();
                    writing.clear();
                }
            }
            CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).join();
            if (!inIndex.isEmpty()) {
                index.delete(session, mailboxId, inIndex.keySet().stream().map(MessageUid::of).toList()).block();
                result.removed = inIndex.size();
            }
            return result;
        } finally {
            mappers.endProcessingRequest(session);
        }
    }

    /**
     * A document whose modseq is behind the store's while its flags, \Recent aside, are the store's: only \Recent was
     * cleared since (the index does not keep \Recent), nothing to write. Without this, every message SELECTed once
     * since it was indexed would be written again when its mailbox is caught up: a whole reindex of a big mailbox.
     */
    static boolean onlyRecentDiffers(HitScanner.IndexHit indexed, MailboxMessage stored) {
        if (indexed.flags() == null) {
            return false;
        }
        Flags storedFlags = new Flags(stored.createFlags());
        storedFlags.remove(Flags.Flag.RECENT);
        Flags indexedFlags = new Flags(indexed.flags());
        indexedFlags.remove(Flags.Flag.RECENT);
        return storedFlags.equals(indexedFlags);
    }
}
