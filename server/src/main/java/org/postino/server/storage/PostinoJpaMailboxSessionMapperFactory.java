package org.postino.server.storage;

import java.time.Clock;
import java.util.concurrent.locks.Lock;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;

import com.google.common.util.concurrent.Striped;

/**
 * James's JPA mapper factory with message ids: a {@link JpaMessageIdMapper} where James's throws
 * {@code NotImplementedException}, and message mappers ({@link PostinoJpaMessageMapper}) that hand
 * out the same ids. Building it makes sure the id table exists and that every stored message has an
 * id (see {@link MessageIdTable}).
 */
public class PostinoJpaMailboxSessionMapperFactory extends JPAMailboxSessionMapperFactory {

    private final EntityManagerFactory entityManagerFactory;
    private final JPAUidProvider uidProvider;
    private final JPAModSeqProvider modSeqProvider;
    private final MessageIdTable table;
    private final Clock clock;
    private final Striped<Lock> flagLocks = Striped.lazyWeakLock(64);

    @Inject
    public PostinoJpaMailboxSessionMapperFactory(EntityManagerFactory entityManagerFactory, JPAUidProvider uidProvider,
                                                 JPAModSeqProvider modSeqProvider, MessageId.Factory messageIdFactory, Clock clock) {
        // James's constructor opens an entity manager: OpenJPA creates the missing JAMES_* tables then
        super(entityManagerFactory, uidProvider, modSeqProvider);
        this.entityManagerFactory = entityManagerFactory;
        this.uidProvider = uidProvider;
        this.modSeqProvider = modSeqProvider;
        this.clock = clock;
        this.table = new MessageIdTable(entityManagerFactory, messageIdFactory);
        table.createIfMissing();
        MailCounterIndexes.createIfMissing(entityManagerFactory);
        table.backfill();
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return new OwnerOnlyAclMailboxMapper(entityManagerFactory);
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return new PostinoJpaMessageMapper(uidProvider, modSeqProvider, entityManagerFactory, table, clock);
    }

    @Override
    public MessageIdMapper createMessageIdMapper(MailboxSession session) {
        return new JpaMessageIdMapper(entityManagerFactory, modSeqProvider, table, clock, flagLocks);
    }
}
