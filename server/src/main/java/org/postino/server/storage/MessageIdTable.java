package org.postino.server.storage;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;
import javax.persistence.Query;

import org.apache.james.backends.jpa.EntityManagerUtils;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.Lists;

/**
 * Postino's table {@value #TABLE}: for each message of James's JPA table {@code JAMES_MAIL}, keyed like
 * it by {@code (MAILBOX_ID, MAIL_UID)}, the message id, thread id and save date that James's JPA entity
 * does not keep. The table is ours, created here with plain SQL (BIGINT, VARCHAR, TIMESTAMP) rather
 * than as an OpenJPA entity, which would need build-time enhancement.
 *
 * <p>Its rows follow the messages by themselves when they go: a foreign key to {@code JAMES_MAIL}
 * with {@code ON DELETE CASCADE} removes a row in the very statement that removes its message,
 * whichever path deletes it (expunge, a JPQL bulk delete, a deleted mailbox cascading to its
 * messages). Rows are written by {@link PostinoJpaMessageMapper} and {@link JpaMessageIdMapper}
 * in the transaction that writes the message.
 *
 * <p>Messages stored before the table existed get an id at start-up ({@link #backfill()}).
 */
final class MessageIdTable {

    static final String TABLE = "POSTINO_MESSAGE_ID";

    private static final Logger LOGGER = LoggerFactory.getLogger(MessageIdTable.class);
    private static final int CHUNK = 500;
    private static final String COLUMNS = "MAILBOX_ID, MAIL_UID, MESSAGE_ID, THREAD_ID, SAVE_DATE";

    /** Where a message is: the primary key of {@code JAMES_MAIL}. */
    record Key(long mailboxId, long uid) {
    }

    /** One row. */
    record Entry(Key key, MessageId messageId, ThreadId threadId, Optional<Date> saveDate) {
        Entry {
            Objects.requireNonNull(key);
            Objects.requireNonNull(messageId);
            Objects.requireNonNull(threadId);
            Objects.requireNonNull(saveDate);
        }
    }

    private final EntityManagerFactory entityManagerFactory;
    private final MessageId.Factory messageIdFactory;
    /**
     * On Derby, the primary key named for uid ranges: once its statistics say every row of a big mailbox has the same
     * {@code MAILBOX_ID}, Derby reads the whole mailbox's part of the key (or the table) for a range of a few uids
     * (found at 70,000 messages in one mailbox: every delivery read them all). Other databases get no hint.
     */
    private volatile String rangeHint = "";

    MessageIdTable(EntityManagerFactory entityManagerFactory, MessageId.Factory messageIdFactory) {
        this.entityManagerFactory = entityManagerFactory;
        this.messageIdFactory = messageIdFactory;
    }

    /** Whether the database is Derby, whose optimizer needs index hints (known once {@link #createIfMissing} ran). */
    boolean onDerby() {
        return !rangeHint.isEmpty();
    }

    MessageId.Factory messageIdFactory() {
        return messageIdFactory;
    }

    /** Creates the table and its index unless the table is already there. James's tables must exist. */
    void createIfMissing() {
        if (isDerby()) {
            rangeHint = " --DERBY-PROPERTIES constraint=POSTINO_MESSAGE_ID_PK\n";
        }
        if (exists()) {
            return;
        }
        inTransaction(manager -> {
            manager.createNativeQuery("CREATE TABLE " + TABLE + " ("
                + "MAILBOX_ID BIGINT NOT NULL, "
                + "MAIL_UID BIGINT NOT NULL, "
                + "MESSAGE_ID VARCHAR(100) NOT NULL, "
                + "THREAD_ID VARCHAR(100) NOT NULL, "
                + "SAVE_DATE TIMESTAMP, "
                + "CONSTRAINT POSTINO_MESSAGE_ID_PK PRIMARY KEY (MAILBOX_ID, MAIL_UID), "
                + "CONSTRAINT POSTINO_MESSAGE_ID_MAIL_FK FOREIGN KEY (MAILBOX_ID, MAIL_UID) "
                + "REFERENCES JAMES_MAIL (MAILBOX_ID, MAIL_UID) ON DELETE CASCADE)")
                .executeUpdate();
            manager.createNativeQuery("CREATE INDEX POSTINO_MESSAGE_ID_IDX ON " + TABLE + " (MESSAGE_ID)")
                .executeUpdate();
            return null;
        });
        LOGGER.info("Created table {}", TABLE);
    }

    private boolean isDerby() {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            java.sql.Connection connection = (java.sql.Connection) org.apache.openjpa.persistence.OpenJPAPersistence.cast(manager)
                .getConnection();
            try {
                return connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("derby");
            } finally {
                connection.close();
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            LOGGER.warn("Could not tell which database this is ({}); uid ranges are asked for without a Derby hint", e.toString());
            return false;
        } finally {
            EntityManagerUtils.safelyClose(manager);
        }
    }

    private boolean exists() {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            manager.getTransaction().begin();
            manager.createNativeQuery("SELECT MAIL_UID FROM " + TABLE + " WHERE 1 = 0").getResultList();
            manager.getTransaction().commit();
            return true;
        } catch (PersistenceException e) {
            return false;
        } finally {
            if (manager.getTransaction().isActive()) {
                manager.getTransaction().rollback();
            }
            EntityManagerUtils.safelyClose(manager);
        }
    }

    /**
     * Gives an id to every message that has none (messages stored before this table existed), in
     * batches, each in its own transaction. Their save date is unknown and stays empty.
     *
     * @return how many messages were given an id
     */
    int backfill() {
        int total = 0;
        while (true) {
            int done = inTransaction(manager -> {
                @SuppressWarnings("unchecked")
                List<Object[]> missing = manager.createNativeQuery("SELECT m.MAILBOX_ID, m.MAIL_UID FROM JAMES_MAIL m "
                        + "WHERE NOT EXISTS (SELECT 1 FROM " + TABLE + " i "
                        + "WHERE i.MAILBOX_ID = m.MAILBOX_ID AND i.MAIL_UID = m.MAIL_UID)")
                    .setMaxResults(CHUNK)
                    .getResultList();
                for (Object[] row : missing) {
                    MessageId messageId = messageIdFactory.generate();
                    insert(manager, new Entry(new Key(asLong(row[0]), asLong(row[1])), messageId,
                        ThreadId.fromBaseMessageId(messageId), Optional.empty()));
                }
                return missing.size();
            });
            total += done;
            if (done < CHUNK) {
                break;
            }
        }
        if (total > 0) {
            LOGGER.info("Gave a message id to {} stored messages that had none", total);
        }
        return total;
    }

    /** Writes a row, in the caller's transaction. The message must already be in {@code JAMES_MAIL} (flushed). */
    void insert(EntityManager manager, Entry entry) {
        Query insert;
        if (entry.saveDate().isPresent()) {
            insert = manager.createNativeQuery("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")
                .setParameter(5, new Timestamp(entry.saveDate().get().getTime()));
        } else {
            insert = manager.createNativeQuery("INSERT INTO " + TABLE + " (MAILBOX_ID, MAIL_UID, MESSAGE_ID, THREAD_ID) VALUES (?, ?, ?, ?)");
        }
        insert.setParameter(1, entry.key().mailboxId())
            .setParameter(2, entry.key().uid())
            .setParameter(3, entry.messageId().serialize())
            .setParameter(4, entry.threadId().serialize())
            .executeUpdate();
    }

    /** The rows of these message ids, in no particular order. */
    List<Entry> byMessageIds(EntityManager manager, Collection<MessageId> messageIds) {
        List<String> serialized = messageIds.stream()
            .map(MessageId::serialize)
            .distinct()
            .collect(Collectors.toList());
        List<Entry> result = new ArrayList<>();
        for (List<String> chunk : Lists.partition(serialized, CHUNK)) {
            Query query = manager.createNativeQuery("SELECT " + COLUMNS + " FROM " + TABLE
                + " WHERE MESSAGE_ID IN (" + placeholders(chunk.size()) + ")");
            for (int i = 0; i < chunk.size(); i++) {
                query.setParameter(i + 1, chunk.get(i));
            }
            result.addAll(entries(query));
        }
        return result;
    }

    /**
     * The rows of one mailbox between two uids, both included, by uid.
     *
     * <p>One uid (every new message, read back to be indexed; a client opening one message) is asked for by the whole
     * primary key; a range of uids, on Derby, with the primary key named ({@link #rangeHint}).
     */
    Map<Long, Entry> inUidRange(EntityManager manager, long mailboxId, long fromUid, long toUid) {
        Query query;
        if (fromUid == toUid) {
            query = manager.createNativeQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE MAILBOX_ID = ? AND MAIL_UID = ?")
                .setParameter(1, mailboxId)
                .setParameter(2, fromUid);
        } else {
            query = manager.createNativeQuery("SELECT " + COLUMNS + " FROM " + TABLE + rangeHint
                    + " WHERE MAILBOX_ID = ? AND MAIL_UID BETWEEN ? AND ?")
                .setParameter(1, mailboxId)
                .setParameter(2, fromUid)
                .setParameter(3, toUid);
        }
        Map<Long, Entry> result = new HashMap<>();
        for (Entry entry : entries(query)) {
            result.put(entry.key().uid(), entry);
        }
        return result;
    }

    /**
     * Safety net for a message found without a row (none should be, after {@link #backfill()}):
     * gives it an id in a transaction of its own, or reads the one another thread just gave it.
     */
    Entry assignMissing(Key key) {
        MessageId messageId = messageIdFactory.generate();
        Entry fresh = new Entry(key, messageId, ThreadId.fromBaseMessageId(messageId), Optional.empty());
        try {
            inTransaction(manager -> {
                insert(manager, fresh);
                return null;
            });
            LOGGER.warn("Message {} in mailbox {} had no message id; it now has {}", key.uid(), key.mailboxId(), messageId.serialize());
            return fresh;
        } catch (PersistenceException e) {
            EntityManager manager = entityManagerFactory.createEntityManager();
            try {
                Entry existing = inUidRange(manager, key.mailboxId(), key.uid(), key.uid()).get(key.uid());
                if (existing == null) {
                    throw e;
                }
                return existing;
            } finally {
                EntityManagerUtils.safelyClose(manager);
            }
        }
    }

    private List<Entry> entries(Query query) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        List<Entry> result = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            MessageId messageId = messageIdFactory.fromString((String) row[2]);
            result.add(new Entry(new Key(asLong(row[0]), asLong(row[1])),
                messageId,
                ThreadId.fromBaseMessageId(messageIdFactory.fromString((String) row[3])),
                Optional.ofNullable((Date) row[4]).map(date -> new Date(date.getTime()))));
        }
        return result;
    }

    private <T> T inTransaction(java.util.function.Function<EntityManager, T> work) {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            manager.getTransaction().begin();
            T result = work.apply(manager);
            manager.getTransaction().commit();
            return result;
        } finally {
            if (manager.getTransaction().isActive()) {
                manager.getTransaction().rollback();
            }
            EntityManagerUtils.safelyClose(manager);
        }
    }

    private static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }

    private static long asLong(Object value) {
        return ((Number) value).longValue();
    }
}
