package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.mail.Flags;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.backends.jpa.EntityManagerUtils;
import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.jpa.mail.JPAMessageMapper;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;

/**
 * Message ids as the rest of the mailbox sees them: the id a delivery gets is the one IMAP reads,
 * events carry and the message id manager finds; copies and moves keep it; ids go with their messages;
 * messages stored before ids existed get one.
 */
class JpaMessageIdsTest {

    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("messageIds");
    private static final byte[] MAIL = "Subject: hello\r\nFrom: bob@example.org\r\n\r\nHi Alice\r\n".getBytes(StandardCharsets.UTF_8);

    private final UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());
    private JpaMailboxStack stack;
    private MailboxSession session;
    private MailboxPath inboxPath;
    private MailboxPath archivePath;
    private MailboxId inbox;
    private MailboxId archive;

    @BeforeEach
    void setUp() throws Exception {
        stack = JpaMailboxStack.create(DATABASE, clock);
        session = stack.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        inboxPath = MailboxPath.inbox(session);
        archivePath = MailboxPath.forUser(session.getUser(), "Archive");
        inbox = stack.mailboxManager().createMailbox(inboxPath, session).orElseThrow();
        archive = stack.mailboxManager().createMailbox(archivePath, session).orElseThrow();
    }

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }

    @Test
    void deliveredMessageShouldBeFoundByTheIdItWasGiven() throws Exception {
        ComposedMessageId delivered = deliver();

        assertThat(delivered.getMessageId()).isInstanceOf(PostinoMessageId.class);
        List<MessageResult> found = stack.messageIdManager().getMessage(delivered.getMessageId(), FetchGroup.FULL_CONTENT, session);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).getMailboxId()).isEqualTo(inbox);
        assertThat(found.get(0).getUid()).isEqualTo(delivered.getUid());
        assertThat(content(found.get(0))).isEqualTo(MAIL);
    }

    @Test
    void messagesReadThroughTheirMailboxShouldCarryTheSameId() throws Exception {
        ComposedMessageId delivered = deliver();

        List<MessageResult> read = ImmutableList.copyOf(inboxManager().getMessages(MessageRange.all(), FetchGroup.MINIMAL, session));

        assertThat(read).extracting(MessageResult::getMessageId).containsExactly(delivered.getMessageId());
        assertThat(read).extracting(MessageResult::getThreadId).containsExactly(ThreadId.fromBaseMessageId(delivered.getMessageId()));
    }

    @Test
    void addedEventShouldCarryTheId() throws Exception {
        List<MessageId> announced = new CopyOnWriteArrayList<>();
        Mono.from(stack.eventBus().register(EventListener.wrapReactive((Event event) -> {
            if (event instanceof MailboxEvents.Added) {
                announced.addAll(((MailboxEvents.Added) event).getMessageIds());
            }
        }), new MailboxIdRegistrationKey(inbox))).block();

        ComposedMessageId delivered = deliver();

        assertThat(announced).containsExactly(delivered.getMessageId());
    }

    @Test
    void copyShouldKeepTheId() throws Exception {
        ComposedMessageId delivered = deliver();

        stack.mailboxManager().copyMessages(MessageRange.all(), inbox, archive, session);

        List<MessageResult> found = stack.messageIdManager().getMessage(delivered.getMessageId(), FetchGroup.FULL_CONTENT, session);
        assertThat(found).extracting(MessageResult::getMailboxId).containsOnly(inbox, archive);
        assertThat(content(found.get(0))).isEqualTo(MAIL);
        assertThat(content(found.get(1))).isEqualTo(MAIL);
    }

    @Test
    void moveShouldKeepTheId() throws Exception {
        ComposedMessageId delivered = deliver();

        stack.mailboxManager().moveMessages(MessageRange.all(), inbox, archive, session);

        assertThat(stack.messageIdManager().getMessage(delivered.getMessageId(), FetchGroup.MINIMAL, session))
            .extracting(MessageResult::getMailboxId)
            .containsExactly(archive);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void expungedMessageShouldLoseItsId() throws Exception {
        ComposedMessageId delivered = deliver();

        inboxManager().setFlags(new Flags(Flags.Flag.DELETED), MessageManager.FlagsUpdateMode.ADD, MessageRange.all(), session);
        inboxManager().expunge(MessageRange.all(), session);

        assertThat(stack.messageIdManager().getMessage(delivered.getMessageId(), FetchGroup.MINIMAL, session)).isEmpty();
        assertThat(rows()).isZero();
    }

    @Test
    void deletedMailboxShouldTakeItsIdsAlong() throws Exception {
        ComposedMessageId delivered = deliver();
        stack.mailboxManager().copyMessages(MessageRange.all(), inbox, archive, session);

        stack.mailboxManager().deleteMailbox(archivePath, session);

        assertThat(stack.messageIdManager().getMessage(delivered.getMessageId(), FetchGroup.MINIMAL, session))
            .extracting(MessageResult::getMailboxId)
            .containsExactly(inbox);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void messagesStoredWithoutAnIdShouldGetOneAtStartUp() throws Exception {
        storeWithJamesMapperOnly();
        assertThat(rows()).isZero();

        JpaMailboxStack restarted = JpaMailboxStack.create(DATABASE, clock);

        assertThat(rows()).isEqualTo(1);
        MessageResult read = restarted.mailboxManager().getMailbox(inbox, session)
            .getMessages(MessageRange.all(), FetchGroup.MINIMAL, session).next();
        assertThat(restarted.messageIdManager().getMessage(read.getMessageId(), FetchGroup.MINIMAL, session))
            .extracting(MessageResult::getUid)
            .containsExactly(read.getUid());
    }

    @Test
    void idsShouldOutliveARestart() throws Exception {
        ComposedMessageId delivered = deliver();

        EntityManagerFactory reopened = MailboxTestDatabase.create("messageIds");
        try {
            JpaMailboxStack restarted = JpaMailboxStack.create(reopened, clock);

            assertThat(restarted.messageIdManager().getMessage(delivered.getMessageId(), FetchGroup.FULL_CONTENT, session))
                .extracting(MessageResult::getUid)
                .containsExactly(delivered.getUid());
            assertThat(restarted.mailboxManager().getMailbox(inbox, session)
                    .getMessages(MessageRange.all(), FetchGroup.MINIMAL, session).next().getMessageId())
                .isEqualTo(delivered.getMessageId());
        } finally {
            reopened.close();
        }
    }

    @Test
    void messageFoundWithoutAnIdShouldGetOneThatSticks() throws Exception {
        storeWithJamesMapperOnly();

        MessageId first = inboxManager().getMessages(MessageRange.all(), FetchGroup.MINIMAL, session).next().getMessageId();
        MessageId second = inboxManager().getMessages(MessageRange.all(), FetchGroup.MINIMAL, session).next().getMessageId();

        assertThat(second).isEqualTo(first);
        assertThat(stack.messageIdManager().getMessage(first, FetchGroup.MINIMAL, session)).hasSize(1);
    }

    private ComposedMessageId deliver() throws Exception {
        return inboxManager().appendMessage(MessageManager.AppendCommand.builder().build(MAIL), session).getId();
    }

    private MessageManager inboxManager() throws Exception {
        return stack.mailboxManager().getMailbox(inbox, session);
    }

    /** A message written by James's own JPA mapper, which keeps no id (as before Postino's table). */
    private void storeWithJamesMapperOnly() throws Exception {
        Mailbox mailbox = stack.mapperFactory().getMailboxMapper(session).findMailboxById(inbox).block();
        JPAMessageMapper jamesMapper = new JPAMessageMapper(new JPAUidProvider(DATABASE), new JPAModSeqProvider(DATABASE), DATABASE);
        MessageId ignored = stack.messageIdFactory().generate();
        SimpleMailboxMessage message = new SimpleMailboxMessage(ignored, ThreadId.fromBaseMessageId(ignored), new Date(),
            MAIL.length, MAIL.length - 10, new ByteContent(MAIL), new Flags(), new PropertyBuilder().build(), inbox);
        jamesMapper.execute(() -> jamesMapper.add(mailbox, message));
        jamesMapper.endRequest();
    }

    private static byte[] content(MessageResult message) throws Exception {
        try (InputStream content = message.getFullContent().getInputStream()) {
            return content.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long rows() {
        EntityManager manager = DATABASE.createEntityManager();
        try {
            return ((Number) manager.createNativeQuery("SELECT COUNT(*) FROM " + MessageIdTable.TABLE).getSingleResult()).longValue();
        } finally {
            EntityManagerUtils.safelyClose(manager);
        }
    }
}
