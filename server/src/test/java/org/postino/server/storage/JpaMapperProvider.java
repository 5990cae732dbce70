package org.postino.server.storage;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.backends.jpa.EntityManagerUtils;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.mail.JPAMailboxMapper;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.jpa.mail.model.JPAMailbox;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.utils.UpdatableTickingClock;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;

/** James's mapper contract tests against Postino's JPA mappers (built by {@link PostinoJpaMailboxSessionMapperFactory}). */
class JpaMapperProvider implements MapperProvider {

    /**
     * Uids for messages the tests save by id: far above those the mailboxes hand out themselves
     * (from 1), so the two never meet at one uid of a mailbox (the uid is part of the JPA key).
     */
    private final AtomicLong uids = new AtomicLong(1_000_000);
    private final List<Capabilities> more;
    private final EntityManagerFactory entityManagerFactory;
    private final JPAModSeqProvider modSeqProvider;
    private final PostinoMessageId.Factory messageIdFactory = new PostinoMessageId.Factory();
    private final PostinoJpaMailboxSessionMapperFactory mapperFactory;

    JpaMapperProvider(EntityManagerFactory entityManagerFactory, UpdatableTickingClock clock) {
        this(entityManagerFactory, clock, List.of());
    }

    JpaMapperProvider(EntityManagerFactory entityManagerFactory, UpdatableTickingClock clock, List<Capabilities> more) {
        this.more = more;
        this.entityManagerFactory = entityManagerFactory;
        this.modSeqProvider = new JPAModSeqProvider(entityManagerFactory);
        this.mapperFactory = new PostinoJpaMailboxSessionMapperFactory(entityManagerFactory,
            new JPAUidProvider(entityManagerFactory), modSeqProvider, messageIdFactory, clock);
    }

    @Override
    public List<Capabilities> getSupportedCapabilities() {
        return ImmutableList.<Capabilities>builder()
            .add(Capabilities.MESSAGE, Capabilities.MAILBOX, Capabilities.ANNOTATION, Capabilities.MOVE, Capabilities.UNIQUE_MESSAGE_ID)
            .addAll(more)
            .build();
    }

    @Override
    public MailboxMapper createMailboxMapper() {
        return new TransactionalMailboxMapper(entityManagerFactory);
    }

    @Override
    public MessageMapper createMessageMapper() {
        return mapperFactory.createMessageMapper(null);
    }

    @Override
    public MessageIdMapper createMessageIdMapper() {
        return mapperFactory.createMessageIdMapper(null);
    }

    @Override
    public AttachmentMapper createAttachmentMapper() {
        throw new UnsupportedOperationException("the JPA mailbox stores no attachments apart");
    }

    @Override
    public MailboxId generateId() {
        return JPAId.of(Math.abs(ThreadLocalRandom.current().nextInt()));
    }

    @Override
    public MessageUid generateMessageUid() {
        return MessageUid.of(uids.incrementAndGet());
    }

    /**
     * From James's JPA provider for a stored mailbox. For a mailbox that was never stored (a test saves a
     * message there to see it refused), that provider has no row to count in and fails with a
     * NullPointerException: any modseq will do then.
     */
    @Override
    public ModSeq generateModSeq(Mailbox mailbox) throws MailboxException {
        if (!isStored(mailbox)) {
            return ModSeq.of(uids.incrementAndGet());
        }
        return modSeqProvider.nextModSeq(mailbox);
    }

    private boolean isStored(Mailbox mailbox) {
        EntityManager manager = entityManagerFactory.createEntityManager();
        try {
            return manager.find(JPAMailbox.class, ((JPAId) mailbox.getMailboxId()).getRawId()) != null;
        } finally {
            EntityManagerUtils.safelyClose(manager);
        }
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return modSeqProvider.highestModSeq(mailbox);
    }

    @Override
    public boolean supportPartialAttachmentFetch() {
        return false;
    }

    @Override
    public MessageId generateMessageId() {
        return messageIdFactory.generate();
    }

    /** James's JPA mailbox mapper writes only inside a transaction; the tests create mailboxes outside one. */
    private static class TransactionalMailboxMapper extends JPAMailboxMapper {
        TransactionalMailboxMapper(EntityManagerFactory entityManagerFactory) {
            super(entityManagerFactory);
        }

        @Override
        public Mono<Mailbox> create(MailboxPath mailboxPath, UidValidity uidValidity) {
            return executeReactive(super.create(mailboxPath, uidValidity));
        }
    }
}
