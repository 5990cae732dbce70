package org.postino.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.stream.Collectors;

import javax.mail.Flags;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;
import javax.persistence.TypedQuery;

import org.apache.james.backends.jpa.EntityManagerUtils;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.model.JPAMailbox;
import org.apache.james.mailbox.jpa.mail.model.openjpa.JPAMailboxMessage;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.util.ReactorUtils;
import org.reactivestreams.Publisher;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Lists;
import com.google.common.collect.Multimap;
import com.google.common.util.concurrent.Striped;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Messages by message id on James's JPA mailbox, which has no such mapper of its own.
 *
 * <h2>How message ids are found</h2>
 * James 3.8.1's JPA message entity ({@code JAMES_MAIL}) stores no message id: its {@code getMessageId()}
 * returns a new {@code DefaultMessageId} at every call, a placeholder that cannot even be serialized or
 * compared, and the JPA message factory drops the id the mailbox manager generates. There is no column
 * to query. Rather than change James's entity or schema, Postino keeps its own table,
 * {@link MessageIdTable} ({@code POSTINO_MESSAGE_ID}): {@code (MAILBOX_ID, MAIL_UID) -> MESSAGE_ID,
 * THREAD_ID, SAVE_DATE}, indexed on {@code MESSAGE_ID}. A message id is found there, then its messages
 * are loaded through James's entity by mailbox and uid.
 *
 * <p>The table is kept right without any event listener: rows are written in the transaction that
 * writes the message (here, and in {@link PostinoJpaMessageMapper} for IMAP, delivery, copy and move),
 * and a foreign key to {@code JAMES_MAIL} with {@code ON DELETE CASCADE} takes a row away with its
 * message, whatever deletes it. Because the mailbox's other mapper hands out the same ids, ids found in
 * events or in the search index are the ones this mapper finds. Messages stored before the table
 * existed get an id at start-up.
 *
 * <h2>Transactions</h2>
 * {@code StoreMessageIdManager} calls one mapper from several threads at once, so every method here
 * uses an entity manager and a transaction of its own. Uids and modseqs of copies come from the
 * caller, which takes them from James's JPA providers; {@link #setFlags} takes a modseq from the
 * same {@link JPAModSeqProvider}, once per mailbox whose messages' flags really change.
 *
 * <p>Flag updates of one message id through these mappers take turns (a lock per id, in this JVM):
 * two at once would read the same flags and one would fail at commit (OpenJPA's optimistic check on
 * the user flag rows). A flag update through James's JPA message mapper (IMAP) at the same moment is
 * not held back; one of the two may then fail, as two IMAP updates of one message may today.
 */
public class JpaMessageIdMapper implements MessageIdMapper {

    private static final int CHUNK = 500;

    private final EntityManagerFactory entityManagerFactory;
    private final JPAModSeqProvider modSeqProvider;
    private final MessageIdTable table;
    private final Clock clock;
    private final Striped<Lock> flagLocks;

    /**
     * @param flagLocks shared by all the mappers of a mailbox store: flag updates of one message id
     *                  take turns ({@link #setFlags})
     */
    JpaMessageIdMapper(EntityManagerFactory entityManagerFactory, JPAModSeqProvider modSeqProvider, MessageIdTable table, Clock clock,
                       Striped<Lock> flagLocks) {
        this.entityManagerFactory = entityManagerFactory;
        this.modSeqProvider = modSeqProvider;
        this.table = table;
        this.clock = clock;
        this.flagLocks = flagLocks;
    }

    @Override
    public List<MailboxMessage> find(Collection<MessageId> messageIds, FetchType fetchType) {
        if (messageIds.isEmpty()) {
            return ImmutableList.of();
        }
        return read(manager -> {
            List<MailboxMessage> messages = load(manager, table.byMessageIds(manager, messageIds));
            if (fetchType != FetchType.METADATA) {
                messages.forEach(JpaMessageIdMapper::loadContent);
            }
            return messages;
        });
    }

    @Override
    public Flux<MailboxMessage> findReactive(Collection<MessageId> messageIds, FetchType fetchType) {
        return Flux.defer(() -> Flux.fromIterable(find(messageIds, fetchType)))
            .subscribeOn(ReactorUtils.BLOCKING_CALL_WRAPPER);
    }

    @Override
    public Publisher<ComposedMessageIdWithMetaData> findMetadata(MessageId messageId) {
        return findReactive(ImmutableList.of(messageId), FetchType.METADATA)
            .map(MailboxMessage::getComposedMessageIdWithMetaData);
    }

    @Override
    public List<MailboxId> findMailboxes(MessageId messageId) {
        return read(manager -> table.byMessageIds(manager, ImmutableList.of(messageId)).stream()
            .map(entry -> (MailboxId) JPAId.of(entry.key().mailboxId()))
            .collect(ImmutableList.toImmutableList()));
    }

    /** Stores a message (uid and modseq already set) in the mailbox it names. */
    @Override
    public void save(MailboxMessage mailboxMessage) throws MailboxException {
        store(mailboxMessage, mailboxMessage.getMailboxId());
    }

    /**
     * Stores a copy of a message (uid and modseq already set) in a mailbox, keeping its message id.
     * When a message is already stored at that uid of that mailbox, nothing is done.
     */
    @Override
    public void copyInMailbox(MailboxMessage mailboxMessage, Mailbox mailbox) throws MailboxException {
        store(mailboxMessage, mailbox.getMailboxId());
    }

    private void store(MailboxMessage message, MailboxId target) throws MailboxException {
        MessageId messageId = PostinoJpaMessageMapper.ownIdOf(message)
            .orElseThrow(() -> new MailboxException("A message without a usable message id cannot be saved by id: " + message));
        ThreadId threadId = PostinoJpaMessageMapper.ownThreadIdOf(message, messageId);
        JPAId mailboxId = (JPAId) target;
        Date saveDate = Date.from(clock.instant());
        write(manager -> {
            JPAMailbox mailbox = manager.find(JPAMailbox.class, mailboxId.getRawId());
            if (mailbox == null) {
                throw new MailboxNotFoundException(mailboxId);
            }
            if (isStored(manager, mailboxId.getRawId(), message.getUid().asLong())) {
                return null;
            }
            JPAMailboxMessage stored = new JPAMailboxMessage(mailbox, message.getUid(), message.getModSeq(), contentSource(manager, message));
            stored.setFlags(message.createFlags());
            manager.persist(stored);
            manager.flush();
            MessageIdTable.Key key = new MessageIdTable.Key(mailboxId.getRawId(), message.getUid().asLong());
            table.insert(manager, new MessageIdTable.Entry(key, messageId, threadId, Optional.of(saveDate)));
            return null;
        });
        message.setSaveDate(saveDate);
    }

    /** Where to read the content of a message to store: for one of ours, the stored message it comes from. */
    private MailboxMessage contentSource(EntityManager manager, MailboxMessage message) throws MailboxException {
        if (message instanceof IdentifiedJpaMessage) {
            MessageIdTable.Key source = ((IdentifiedJpaMessage) message).source();
            List<JPAMailboxMessage> found = messagesAt(manager, source.mailboxId(), ImmutableList.of(source.uid()));
            if (found.isEmpty()) {
                throw new MailboxException("The message to copy is gone: uid " + source.uid() + " of mailbox " + source.mailboxId());
            }
            return found.get(0);
        }
        return message;
    }

    @Override
    public void delete(MessageId messageId) {
        delete(messageId, null);
    }

    @Override
    public void delete(MessageId messageId, Collection<MailboxId> mailboxIds) {
        if (mailboxIds != null && mailboxIds.isEmpty()) {
            return;
        }
        writeUnchecked(manager -> {
            for (MessageIdTable.Entry entry : table.byMessageIds(manager, ImmutableList.of(messageId))) {
                if (mailboxIds == null || mailboxIds.contains(JPAId.of(entry.key().mailboxId()))) {
                    manager.createNamedQuery("deleteMessagesInMailboxWithUID")
                        .setParameter("idParam", entry.key().mailboxId())
                        .setParameter("uidParam", entry.key().uid())
                        .executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Mono<Multimap<MailboxId, UpdatedFlags>> setFlags(MessageId messageId, List<MailboxId> mailboxIds, Flags newState,
                                                           MessageManager.FlagsUpdateMode updateMode) {
        if (mailboxIds.isEmpty()) {
            return Mono.just(ImmutableListMultimap.of());
        }
        return Mono.fromCallable(() -> updateFlags(messageId, new LinkedHashSet<>(mailboxIds), new FlagsUpdateCalculator(newState, updateMode)))
            .subscribeOn(ReactorUtils.BLOCKING_CALL_WRAPPER);
    }

    private Multimap<MailboxId, UpdatedFlags> updateFlags(MessageId messageId, Set<MailboxId> mailboxIds, FlagsUpdateCalculator calculator)
            throws MailboxException {
        Lock lock = flagLocks.get(messageId.serialize());
        lock.lock();
        try {
            return updateFlagsInTurn(messageId, mailboxIds, calculator);
        } finally {
            lock.unlock();
        }
    }

    private Multimap<MailboxId, UpdatedFlags> updateFlagsInTurn(MessageId messageId, Set<MailboxId> mailboxIds, FlagsUpdateCalculator calculator)
            throws MailboxException {
        return write(manager -> {
            List<MessageIdTable.Entry> entries = table.byMessageIds(manager, ImmutableList.of(messageId)).stream()
                .filter(entry -> mailboxIds.contains(JPAId.of(entry.key().mailboxId())))
                .collect(Collectors.toList());
            List<MailboxMessage> messages = load(manager, entries);

            Map<MailboxId, ModSeq> modSeqs = new HashMap<>();
            for (MailboxMessage message : messages) {
                Flags oldFlags = message.createFlags();
                if (UpdatedFlags.flagsChanged(oldFlags, calculator.buildNewFlags(oldFlags)) && !modSeqs.containsKey(message.getMailboxId())) {
                    modSeqs.put(message.getMailboxId(), modSeqProvider.nextModSeq(message.getMailboxId()));
                }
            }

            ImmutableListMultimap.Builder<MailboxId, UpdatedFlags> result = ImmutableListMultimap.builder();
            for (MailboxMessage message : messages) {
                Flags oldFlags = message.createFlags();
                Flags newFlags = calculator.buildNewFlags(oldFlags);
                if (UpdatedFlags.flagsChanged(oldFlags, newFlags)) {
                    message.setFlags(newFlags);
                    message.setModSeq(modSeqs.get(message.getMailboxId()));
                }
                result.put(message.getMailboxId(), UpdatedFlags.builder()
                    .uid(message.getUid())
                    .messageId(messageId)
                    .modSeq(message.getModSeq())
                    .oldFlags(oldFlags)
                    .newFlags(newFlags)
                    .build());
            }
            return result.build();
        });
    }

    /** The messages of these rows, in their order; rows whose message is gone are skipped. */
    private List<MailboxMessage> load(EntityManager manager, List<MessageIdTable.Entry> entries) {
        Map<Long, List<MessageIdTable.Entry>> byMailbox = entries.stream()
            .collect(Collectors.groupingBy(entry -> entry.key().mailboxId(), java.util.LinkedHashMap::new, Collectors.toList()));
        List<MailboxMessage> result = new ArrayList<>(entries.size());
        byMailbox.forEach((mailboxId, mailboxEntries) -> {
            Map<Long, JPAMailboxMessage> messages = messagesAt(manager, mailboxId,
                    mailboxEntries.stream().map(entry -> entry.key().uid()).collect(Collectors.toList()))
                .stream()
                .collect(Collectors.toMap(message -> message.getUid().asLong(), message -> message));
            for (MessageIdTable.Entry entry : mailboxEntries) {
                JPAMailboxMessage message = messages.get(entry.key().uid());
                if (message != null) {
                    result.add(IdentifiedJpaMessage.of(message, entry));
                }
            }
        });
        return result;
    }

    private static boolean isStored(EntityManager manager, long mailboxId, long uid) {
        return manager.createQuery("SELECT COUNT(message) FROM MailboxMessage message "
                    + "WHERE message.mailbox.mailboxId = :mailboxId AND message.uid = :uid", Long.class)
            .setParameter("mailboxId", mailboxId)
            .setParameter("uid", uid)
            .getSingleResult() > 0;
    }

    private List<JPAMailboxMessage> messagesAt(EntityManager manager, long mailboxId, List<Long> uids) {
        List<JPAMailboxMessage> result = new ArrayList<>();
        for (List<Long> chunk : Lists.partition(uids, CHUNK)) {
            TypedQuery<JPAMailboxMessage> query = manager.createQuery(
                    "SELECT message FROM MailboxMessage message WHERE message.mailbox.mailboxId = :mailboxId AND message.uid IN :uids",
                    JPAMailboxMessage.class)
                .setParameter("mailboxId", mailboxId)
                .setParameter("uids", chunk);
            result.addAll(query.getResultList());
        }
        return result;
    }

    /** Reads the lazily loaded header and body while the entity manager is open. */
    private static void loadContent(MailboxMessage message) {
        try (InputStream content = message.getFullContent()) {
            content.available();
        } catch (IOException e) {
            throw new IllegalStateException("Could not read message " + message, e);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(EntityManager manager) throws MailboxException;
    }

    private <T> T read(Work<T> work) {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            return work.run(manager);
        } catch (MailboxException | PersistenceException e) {
            throw new IllegalStateException("Reading messages by id failed", e);
        } finally {
            EntityManagerUtils.safelyClose(manager);
        }
    }

    private <T> T write(Work<T> work) throws MailboxException {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            manager.getTransaction().begin();
            T result = work.run(manager);
            manager.getTransaction().commit();
            return result;
        } catch (PersistenceException e) {
            throw new MailboxException("Writing messages by id failed", e);
        } finally {
            if (manager.getTransaction().isActive()) {
                manager.getTransaction().rollback();
            }
            EntityManagerUtils.safelyClose(manager);
        }
    }

    private <T> T writeUnchecked(Work<T> work) {
        try {
            return write(work);
        } catch (MailboxException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
