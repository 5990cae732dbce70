package org.postino.server.storage;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.mail.JPAMessageMapper;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.jpa.mail.model.openjpa.AbstractJPAMailboxMessage;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Lists;
import org.apache.openjpa.persistence.OpenJPAPersistence;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James's JPA message mapper, with stable message ids: every message it writes gets a row in
 * {@link MessageIdTable}, and every message it reads comes back as an {@link IdentifiedJpaMessage}
 * carrying that row's ids. Without this, the ids that the IMAP side of James puts in events and in the
 * search index would be placeholders, never the ones {@link JpaMessageIdMapper} finds messages by.
 *
 * <p>Its writes run in the caller's transaction ({@code execute}), as James's do; called outside one,
 * a write opens its own (James's would not reach the database).
 *
 * <p>The id of a new message is the one it carries, unless it is a bare JPA entity (James's JPA
 * message factory drops the id it is given): then a new one is made. Copies and moves keep the id.
 *
 * <p>Rows are written in the mapper's transaction, just before it commits: by then the JPA message is
 * flushed (the row's foreign key needs it), and the uid and modseq allocations that James's providers
 * make in transactions of their own are over, so this transaction holds no lock they could wait on.
 * Like James's mapper, this class is not thread-safe (one per mailbox session).
 */
class PostinoJpaMessageMapper extends JPAMessageMapper {

    private final JPAModSeqProvider modSeqProvider;
    private final MessageIdTable table;
    private final Clock clock;
    /** Messages a flag update reads at once. */
    static final int FLAG_CHUNK = 1_000;
    private final Map<MessageIdTable.Key, MessageIdTable.Entry> pending = new LinkedHashMap<>();

    PostinoJpaMessageMapper(JPAUidProvider uidProvider, JPAModSeqProvider modSeqProvider, EntityManagerFactory entityManagerFactory,
                            MessageIdTable table, Clock clock) {
        super(uidProvider, modSeqProvider, entityManagerFactory);
        this.modSeqProvider = modSeqProvider;
        this.table = table;
        this.clock = clock;
    }

    @Override
    public Iterator<MailboxMessage> findInMailbox(Mailbox mailbox, MessageRange set, FetchType fType, int max) throws MailboxException {
        return identify(mailbox, ImmutableList.copyOf(super.findInMailbox(mailbox, set, fType, max))).iterator();
    }

    @Override
    public Flux<MailboxMessage> findInMailboxReactive(Mailbox mailbox, MessageRange messageRange, FetchType ftype, int limitAsInt) {
        return super.findInMailboxReactive(mailbox, messageRange, ftype, limitAsInt)
            .collectList()
            .flatMapIterable(messages -> identify(mailbox, messages));
    }

    @Override
    public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        return write("store a message in mailbox " + mailbox.getMailboxId().serialize(), () -> {
            MessageId messageId = ownIdOf(message).orElseGet(() -> table.messageIdFactory().generate());
            ThreadId threadId = ownThreadIdOf(message, messageId);
            return record(mailbox, super.add(mailbox, message), messageId, threadId);
        });
    }

    @Override
    public MessageMetaData copy(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        return write("copy a message to mailbox " + mailbox.getMailboxId().serialize(), () -> {
            Optional<MessageId> ownId = ownIdOf(original);
            if (ownId.isPresent()) {
                return record(mailbox, super.copy(mailbox, original), ownId.get(), ownThreadIdOf(original, ownId.get()));
            }
            MessageIdTable.Entry stored = storedIdOf(original);
            return record(mailbox, super.copy(mailbox, original), stored.messageId(), stored.threadId());
        });
    }

    @Override
    public MessageMetaData move(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        // James's move is copy (ours: the copy keeps the id) then delete of the original
        return write("move a message to mailbox " + mailbox.getMailboxId().serialize(), () -> super.move(mailbox, original));
    }

    @Override
    public void delete(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        write("delete a message of mailbox " + mailbox.getMailboxId().serialize(), () -> {
            pending.remove(keyOf(mailbox, message.getUid()));
            super.delete(mailbox, message);
            return null;
        });
    }

    @Override
    public Map<MessageUid, MessageMetaData> deleteMessages(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        if (uids.isEmpty()) {
            return ImmutableMap.of();
        }
        return write("delete messages of mailbox " + mailbox.getMailboxId().serialize(), () -> deleteMessagesInTransaction(mailbox, uids));
    }

    private Map<MessageUid, MessageMetaData> deleteMessagesInTransaction(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        Map<Long, MessageIdTable.Entry> entries = entries(mailbox, uids.stream().mapToLong(MessageUid::asLong).min().getAsLong(),
            uids.stream().mapToLong(MessageUid::asLong).max().getAsLong());
        uids.forEach(uid -> pending.remove(keyOf(mailbox, uid)));
        Map<MessageUid, MessageMetaData> deleted = super.deleteMessages(mailbox, uids);
        Map<MessageUid, MessageMetaData> result = new LinkedHashMap<>();
        deleted.forEach((uid, metaData) -> {
            MessageIdTable.Entry entry = entries.get(uid.asLong());
            result.put(uid, entry == null ? metaData : withIds(metaData, entry.messageId(), entry.threadId(), entry.saveDate()));
        });
        return result;
    }

    /**
     * Like James's, but a modseq is taken only when some flag really changes, the results carry the message ids, and
     * the messages are read and written {@value #FLAG_CHUNK} at a time.
     *
     * <p>Called outside a transaction (IMAP STORE, the first SELECT's \Recent reset: James opens none), each chunk
     * is a transaction of its own. In one transaction, a flag change of a big mailbox (the first SELECT after mass
     * delivery clears \Recent on every new message; "mark all as read") held a write lock on every row it had
     * changed until the end: Derby turns more than 5,000 row locks into a lock of the whole table, and every STATUS,
     * SELECT and delivery of every mailbox waited for it (seen: a STATUS blocked over a minute behind the reset of
     * 100,000 messages). A chunk's rows are let go of at its commit. IMAP asks no atomicity of a STORE over many
     * messages; should a later chunk fail, the earlier ones stay done, and each carries its own modseq.
     *
     * <p>Called in a transaction, it stays in it. Either way each chunk, once written, is detached (the entity manager
     * would otherwise keep every message of a big mailbox in memory).
     */
    @Override
    public Iterator<UpdatedFlags> updateFlags(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange set) throws MailboxException {
        ImmutableList.Builder<UpdatedFlags> result = ImmutableList.builder();
        boolean ownTransactions = !inTransaction();
        ModSeq[] modSeq = new ModSeq[1];
        MessageRange remaining = set;
        while (remaining != null) {
            MessageRange range = remaining;
            Chunk chunk;
            if (ownTransactions) {
                modSeq[0] = null;
            }
            chunk = write("change flags in mailbox " + mailbox.getMailboxId().serialize(), () -> {
                Chunk done = updateChunk(mailbox, calculator, set, range, modSeq);
                if (done.rest != null) {
                    // committed or not, entities the entity manager keeps would add up over a big mailbox
                    letGo(done.messages);
                }
                return done;
            });
            result.addAll(chunk.updated);
            remaining = chunk.rest;
        }
        return result.build().iterator();
    }

    /** One chunk's flag changes, what they were, and what of the whole range is left. */
    private static final class Chunk {
        final List<MailboxMessage> messages;
        final List<UpdatedFlags> updated;
        final MessageRange rest;

        Chunk(List<MailboxMessage> messages, List<UpdatedFlags> updated, MessageRange rest) {
            this.messages = messages;
            this.updated = updated;
            this.rest = rest;
        }
    }

    private Chunk updateChunk(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange set, MessageRange range,
                              ModSeq[] modSeq) throws MailboxException {
        List<MailboxMessage> messages = ImmutableList.copyOf(findInMailbox(mailbox, range, FetchType.METADATA, FLAG_CHUNK));
        List<UpdatedFlags> updated = new ArrayList<>(messages.size());
        for (MailboxMessage message : messages) {
            javax.mail.Flags oldFlags = message.createFlags();
            javax.mail.Flags newFlags = calculator.buildNewFlags(oldFlags);
            if (UpdatedFlags.flagsChanged(oldFlags, newFlags)) {
                if (modSeq[0] == null) {
                    modSeq[0] = modSeqProvider.nextModSeq(mailbox);
                }
                message.setFlags(newFlags);
                message.setModSeq(modSeq[0]);
            }
            updated.add(UpdatedFlags.builder()
                .uid(message.getUid())
                .messageId(message.getMessageId())
                .modSeq(message.getModSeq())
                .oldFlags(oldFlags)
                .newFlags(newFlags)
                .build());
        }
        return new Chunk(messages, updated, rest(set, messages));
    }

    /**
     * The lowest uid of an unseen message, or null when every message is seen. James's query loads the message
     * entities in uid order and keeps the first; this asks the database for one number, which it reads from the
     * (mailbox, seen, uid) index ({@link MailCounterIndexes}): at 131,072 messages 1-8 ms instead of 0.24-0.73 s.
     */
    @Override
    public MessageUid findFirstUnseenMessageUid(Mailbox mailbox) throws MailboxException {
        long mailboxId = ((JPAId) mailbox.getMailboxId()).getRawId();
        try {
            Object first = getEntityManager()
                .createNativeQuery("SELECT MIN(MAIL_UID) FROM JAMES_MAIL WHERE MAILBOX_ID = ? AND MAIL_IS_SEEN = ?")
                .setParameter(1, mailboxId)
                .setParameter(2, false)
                .getSingleResult();
            return first == null ? null : MessageUid.of(((Number) first).longValue());
        } catch (PersistenceException e) {
            throw new MailboxException("Could not find the first unseen message of mailbox " + mailboxId, e);
        }
    }

    /**
     * Clears \Recent on every message of the mailbox that has it (James: at the first SELECT after delivery), by key,
     * {@value #FLAG_CHUNK} messages per transaction: their uids and flags read through the (mailbox, recent, uid) index,
     * then each row updated by its primary key. James's way loaded each recent message as an entity with its
     * MIME properties and wrote it back row by row: minutes for the first SELECT after 100,000 deliveries. Rows are
     * named by key, so the UPDATE touches no row a concurrent delivery holds; each transaction is short, so no STATUS or
     * delivery waits long for its locks. A message that is no longer recent when its chunk is read (another session
     * cleared it) is not reported. In a transaction of the caller's that has written something, James's way is kept.
     */
    @Override
    public List<UpdatedFlags> resetRecent(Mailbox mailbox) throws MailboxException {
        boolean reopen = false;
        if (inTransaction() && pending.isEmpty() && OpenJPAPersistence.cast(getEntityManager()).getDirtyObjects().isEmpty()) {
            // James runs a SELECT's whole metadata (counters, first unseen, then this) in one transaction that has
            // written nothing: it is ended here, the reset commits chunk by chunk, and a new one is opened for James
            // to commit (on failure none is: James then neither commits nor rolls back)
            commit();
            reopen = true;
        }
        if (inTransaction()) {
            ImmutableList.Builder<UpdatedFlags> updated = ImmutableList.builder();
            FlagsUpdateCalculator clear = new FlagsUpdateCalculator(new javax.mail.Flags(javax.mail.Flags.Flag.RECENT),
                org.apache.james.mailbox.MessageManager.FlagsUpdateMode.REMOVE);
            for (MessageRange range : MessageRange.toRanges(findRecentMessageUidsInMailbox(mailbox))) {
                updated.addAll(updateFlags(mailbox, clear, range));
            }
            return updated.build();
        }
        List<MessageUid> recent = findRecentMessageUidsInMailbox(mailbox);
        List<UpdatedFlags> result = new ArrayList<>(recent.size());
        for (List<MessageUid> chunk : Lists.partition(recent, FLAG_CHUNK)) {
            result.addAll(write("clear \\Recent in mailbox " + mailbox.getMailboxId().serialize(), () -> resetRecent(mailbox, chunk)));
        }
        forgetLoadedMessages(getEntityManager(), ((JPAId) mailbox.getMailboxId()).getRawId());
        if (reopen) {
            begin();
        }
        return result;
    }

    @Override
    public Mono<List<UpdatedFlags>> resetRecentReactive(Mailbox mailbox) {
        return Mono.fromCallable(() -> resetRecent(mailbox));
    }

    private List<UpdatedFlags> resetRecent(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        long mailboxId = ((JPAId) mailbox.getMailboxId()).getRawId();
        EntityManager manager = getEntityManager();
        try {
            // Derby is told to read the (mailbox, recent, uid) index: its statistics say every row of a big mailbox has
            // the same MAILBOX_ID, and it would read the whole mailbox for each chunk
            String hint = table.onDerby() ? " --DERBY-PROPERTIES index=POSTINO_MAIL_RECENT_IDX\n" : "";
            @SuppressWarnings("unchecked")
            List<Object[]> rows = manager.createNativeQuery("SELECT MAIL_UID, MAIL_IS_ANSWERED, MAIL_IS_DELETED,"
                    + " MAIL_IS_DRAFT, MAIL_IS_FLAGGED, MAIL_IS_SEEN FROM JAMES_MAIL" + hint
                    + " WHERE MAILBOX_ID = ? AND MAIL_IS_RECENT = ? AND MAIL_UID BETWEEN ? AND ? ORDER BY MAIL_UID")
                .setParameter(1, mailboxId).setParameter(2, true)
                .setParameter(3, uids.get(0).asLong()).setParameter(4, uids.get(uids.size() - 1).asLong())
                .getResultList();
            if (rows.isEmpty()) {
                return List.of();
            }
            Map<Long, javax.mail.Flags> flags = new LinkedHashMap<>();
            for (Object[] row : rows) {
                javax.mail.Flags current = new javax.mail.Flags();
                systemFlag(current, row[1], javax.mail.Flags.Flag.ANSWERED);
                systemFlag(current, row[2], javax.mail.Flags.Flag.DELETED);
                systemFlag(current, row[3], javax.mail.Flags.Flag.DRAFT);
                systemFlag(current, row[4], javax.mail.Flags.Flag.FLAGGED);
                systemFlag(current, row[5], javax.mail.Flags.Flag.SEEN);
                flags.put(((Number) row[0]).longValue(), current);
            }
            long first = flags.keySet().iterator().next();
            long last = ((Number) rows.get(rows.size() - 1)[0]).longValue();
            @SuppressWarnings("unchecked")
            List<Object[]> userFlags = manager.createNativeQuery("SELECT MAIL_UID, USERFLAG_NAME FROM JAMES_MAIL_USERFLAG"
                    + " WHERE MAILBOX_ID = ? AND MAIL_UID BETWEEN ? AND ?")
                .setParameter(1, mailboxId).setParameter(2, first).setParameter(3, last)
                .getResultList();
            for (Object[] row : userFlags) {
                javax.mail.Flags current = flags.get(((Number) row[0]).longValue());
                if (current != null) {
                    current.add((String) row[1]);
                }
            }
            ModSeq modSeq = modSeqProvider.nextModSeq(mailbox);
            // one row per statement, by its whole primary key: the database reads exactly that row (with a list of
            // uids, Derby read the whole mailbox for each chunk: statistics say every row has the same MAILBOX_ID)
            for (Long uid : flags.keySet()) {
                manager.createNativeQuery("UPDATE JAMES_MAIL SET MAIL_IS_RECENT = ?, MAIL_MODSEQ = ? WHERE MAILBOX_ID = ? AND MAIL_UID = ?")
                    .setParameter(1, false).setParameter(2, modSeq.asLong()).setParameter(3, mailboxId).setParameter(4, uid)
                    .executeUpdate();
            }

            Map<Long, MessageIdTable.Entry> ids = entries(mailbox, first, last);
            List<UpdatedFlags> result = new ArrayList<>(flags.size());
            for (Map.Entry<Long, javax.mail.Flags> message : flags.entrySet()) {
                MessageIdTable.Entry entry = ids.get(message.getKey());
                if (entry == null) {
                    entry = table.assignMissing(new MessageIdTable.Key(mailboxId, message.getKey()));
                }
                javax.mail.Flags old = new javax.mail.Flags(message.getValue());
                old.add(javax.mail.Flags.Flag.RECENT);
                result.add(UpdatedFlags.builder()
                    .uid(MessageUid.of(message.getKey()))
                    .messageId(entry.messageId())
                    .modSeq(modSeq)
                    .oldFlags(old)
                    .newFlags(message.getValue())
                    .build());
            }
            return result;
        } catch (PersistenceException e) {
            throw new MailboxException("Could not clear \\Recent in mailbox " + mailboxId, e);
        }
    }

    /** Entities of the mailbox's messages this entity manager holds still say \Recent: let them go. */
    private static void forgetLoadedMessages(EntityManager manager, long mailboxId) {
        for (Object managed : List.copyOf(OpenJPAPersistence.cast(manager).getManagedObjects())) {
            if (managed instanceof AbstractJPAMailboxMessage
                && ((JPAId) ((AbstractJPAMailboxMessage) managed).getMailboxId()).getRawId() == mailboxId) {
                manager.detach(managed);
            }
        }
    }

    private static void systemFlag(javax.mail.Flags flags, Object column, javax.mail.Flags.Flag flag) {
        boolean set = column instanceof Boolean ? (Boolean) column : ((Number) column).intValue() != 0;
        if (set) {
            flags.add(flag);
        }
    }

    /** What is left of {@code set} after a chunk of its messages, or null when the chunk was its last. */
    private static MessageRange rest(MessageRange set, List<MailboxMessage> chunk) {
        if (chunk.size() < FLAG_CHUNK || set.getType() == MessageRange.Type.ONE) {
            return null;
        }
        MessageUid last = chunk.get(chunk.size() - 1).getUid();
        if (last.compareTo(set.getUidTo()) >= 0) {
            return null;
        }
        return MessageRange.range(last.next(), set.getUidTo());
    }

    /** Writes the chunk's changes to the transaction and detaches its entities, so that they can be collected. */
    private void letGo(List<MailboxMessage> chunk) {
        try {
            getEntityManager().flush();
            for (MailboxMessage message : chunk) {
                MailboxMessage entity = message instanceof IdentifiedJpaMessage ? ((IdentifiedJpaMessage) message).entity() : message;
                getEntityManager().detach(entity);
            }
        } catch (PersistenceException e) {
            throw new IllegalStateException("Could not write flag changes of mailbox messages", e);
        }
    }

    /**
     * Runs a write in the caller's transaction, or in one of its own when there is none, and rolls the transaction back
     * when the write fails, whatever the failure. James's own wrappers do not: {@code execute} rolls back only on a
     * MailboxException, and {@code executeReactive} (how James appends a message) never, so a write failing with a
     * runtime exception (a lock time-out, a constraint) left its transaction open, its row locks held for as long as the
     * entity manager lived, and every later count or read of those rows waiting for them. A runtime failure is
     * reported as a MailboxException, which James's callers handle.
     */
    private <T> T write(String what, Transaction<T> work) throws MailboxException {
        boolean own = !inTransaction();
        if (own) {
            begin();
        }
        try {
            T value = work.run();
            if (own) {
                commit();
            }
            return value;
        } catch (MailboxException | RuntimeException e) {
            try {
                rollback();
            } catch (MailboxException | RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            if (e instanceof MailboxException) {
                throw (MailboxException) e;
            }
            throw new MailboxException("Could not " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void commit() throws MailboxException {
        if (!pending.isEmpty()) {
            try {
                getEntityManager().flush();
                for (MessageIdTable.Entry entry : pending.values()) {
                    table.insert(getEntityManager(), entry);
                }
            } catch (PersistenceException e) {
                throw new MailboxException("Could not record the ids of " + pending.size() + " messages", e);
            } finally {
                pending.clear();
            }
        }
        super.commit();
    }

    @Override
    protected void rollback() throws MailboxException {
        pending.clear();
        super.rollback();
    }

    @Override
    public void endRequest() {
        pending.clear();
        super.endRequest();
    }

    private MessageMetaData record(Mailbox mailbox, MessageMetaData stored, MessageId messageId, ThreadId threadId) {
        Date saveDate = Date.from(clock.instant());
        MessageIdTable.Key key = keyOf(mailbox, stored.getUid());
        pending.put(key, new MessageIdTable.Entry(key, messageId, threadId, Optional.of(saveDate)));
        return withIds(stored, messageId, threadId, Optional.of(saveDate));
    }

    private List<MailboxMessage> identify(Mailbox mailbox, List<MailboxMessage> messages) {
        if (messages.isEmpty()) {
            return messages;
        }
        long from = messages.stream().mapToLong(message -> message.getUid().asLong()).min().getAsLong();
        long to = messages.stream().mapToLong(message -> message.getUid().asLong()).max().getAsLong();
        Map<Long, MessageIdTable.Entry> entries = entries(mailbox, from, to);
        List<MailboxMessage> result = new ArrayList<>(messages.size());
        for (MailboxMessage message : messages) {
            MessageIdTable.Key key = keyOf(mailbox, message.getUid());
            MessageIdTable.Entry entry = entries.get(key.uid());
            if (entry == null) {
                entry = table.assignMissing(key);
            }
            result.add(IdentifiedJpaMessage.of(message, entry));
        }
        return result;
    }

    /** Stored rows of a uid range, with this transaction's not yet written ones over them. */
    private Map<Long, MessageIdTable.Entry> entries(Mailbox mailbox, long fromUid, long toUid) {
        long mailboxId = ((JPAId) mailbox.getMailboxId()).getRawId();
        Map<Long, MessageIdTable.Entry> entries;
        try {
            entries = new LinkedHashMap<>(table.inUidRange(getEntityManager(), mailboxId, fromUid, toUid));
        } catch (PersistenceException e) {
            throw new IllegalStateException("Could not read message ids of mailbox " + mailboxId, e);
        }
        pending.values().stream()
            .filter(entry -> entry.key().mailboxId() == mailboxId && entry.key().uid() >= fromUid && entry.key().uid() <= toUid)
            .forEach(entry -> entries.put(entry.key().uid(), entry));
        return entries;
    }

    private MessageIdTable.Entry storedIdOf(MailboxMessage message) {
        MessageIdTable.Key key = new MessageIdTable.Key(((JPAId) message.getMailboxId()).getRawId(), message.getUid().asLong());
        MessageIdTable.Entry pendingEntry = pending.get(key);
        if (pendingEntry != null) {
            return pendingEntry;
        }
        MessageIdTable.Entry entry = table.inUidRange(getEntityManager(), key.mailboxId(), key.uid(), key.uid()).get(key.uid());
        return entry != null ? entry : table.assignMissing(key);
    }

    private boolean inTransaction() {
        return getEntityManager().getTransaction().isActive();
    }

    /** The id a message brings along, unless it is a bare JPA entity, whose id is a placeholder. */
    static Optional<MessageId> ownIdOf(MailboxMessage message) {
        if (message instanceof AbstractJPAMailboxMessage) {
            return Optional.empty();
        }
        return Optional.ofNullable(message.getMessageId()).filter(MessageId::isSerializable);
    }

    static ThreadId ownThreadIdOf(MailboxMessage message, MessageId messageId) {
        return Optional.ofNullable(message.getThreadId())
            .filter(ThreadId::isSerializable)
            .orElseGet(() -> ThreadId.fromBaseMessageId(messageId));
    }

    static MessageMetaData withIds(MessageMetaData metaData, MessageId messageId, ThreadId threadId, Optional<Date> saveDate) {
        return new MessageMetaData(metaData.getUid(), metaData.getModSeq(), metaData.getFlags(), metaData.getSize(),
            metaData.getInternalDate(), saveDate, messageId, threadId);
    }

    private static MessageIdTable.Key keyOf(Mailbox mailbox, MessageUid uid) {
        return new MessageIdTable.Key(((JPAId) mailbox.getMailboxId()).getRawId(), uid.asLong());
    }
}
