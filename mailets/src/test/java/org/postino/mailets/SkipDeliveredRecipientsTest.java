package org.postino.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.inmemory.manager.InMemoryIntegrationResources;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.user.api.UsersRepository;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postino.mailets.once.QueueRedelivery;

class SkipDeliveredRecipientsTest {

    private static final String QUEUE_ID = "Mail1700000000000-0d5f";
    private MailboxManager mailboxManager;
    private UsersRepository users;
    private SkipDeliveredRecipients testee;

    @BeforeEach
    void setUp() throws Exception {
        mailboxManager = InMemoryIntegrationResources.defaultResources().getMailboxManager();
        users = mock(UsersRepository.class);
        when(users.getUsername(any(MailAddress.class)))
            .thenAnswer(invocation -> Username.of(invocation.<MailAddress>getArgument(0).asString()));
        testee = new SkipDeliveredRecipients(mailboxManager, users);
        testee.init(FakeMailetConfig.builder().mailetName("SkipDeliveredRecipients").build());
    }

    @Test
    void serviceShouldDropRecipientsWhoAlreadyHaveARedeliveredMessage() throws Exception {
        appendToInbox("alice@example.com", QUEUE_ID);
        createInbox("bob@example.com");
        Mail mail = mail(true, "alice@example.com", "bob@example.com");

        testee.service(mail);

        assertThat(mail.getRecipients()).containsExactly(new MailAddress("bob@example.com"));
        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
    }

    @Test
    void serviceShouldNotDependOnTheSearchIndex() throws Exception {
        // a search index that is down (or behind) right after the crash this mailet is for
        mailboxManager = InMemoryIntegrationResources.builder()
            .preProvisionnedFakeAuthenticator()
            .fakeAuthorizator()
            .inVmEventBus()
            .defaultAnnotationLimits()
            .defaultMessageParser()
            .searchIndex(stage -> new org.apache.james.mailbox.store.search.MessageSearchIndex() {
                @Override
                public reactor.core.publisher.Flux<org.apache.james.mailbox.MessageUid> search(MailboxSession session,
                        org.apache.james.mailbox.model.Mailbox mailbox, org.apache.james.mailbox.model.SearchQuery query)
                        throws org.apache.james.mailbox.exception.MailboxException {
                    throw new org.apache.james.mailbox.exception.MailboxException("search index down");
                }

                @Override
                public reactor.core.publisher.Flux<org.apache.james.mailbox.model.MessageId> search(MailboxSession session,
                        java.util.Collection<org.apache.james.mailbox.model.MailboxId> mailboxIds,
                        org.apache.james.mailbox.model.SearchQuery query, long limit)
                        throws org.apache.james.mailbox.exception.MailboxException {
                    throw new org.apache.james.mailbox.exception.MailboxException("search index down");
                }

                @Override
                public java.util.EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(
                        java.util.EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
                    return java.util.EnumSet.noneOf(MailboxManager.SearchCapabilities.class);
                }
            })
            .noPreDeletionHooks()
            .storeQuotaManager()
            .build()
            .getMailboxManager();
        testee = new SkipDeliveredRecipients(mailboxManager, users);
        testee.init(FakeMailetConfig.builder().mailetName("SkipDeliveredRecipients").build());
        appendToInbox("alice@example.com", QUEUE_ID);
        createInbox("bob@example.com");
        Mail mail = mail(true, "alice@example.com", "bob@example.com");

        testee.service(mail);

        assertThat(mail.getRecipients()).containsExactly(new MailAddress("bob@example.com"));
    }

    @Test
    void serviceShouldLookInEveryMailboxOfTheRecipient() throws Exception {
        createInbox("alice@example.com");
        appendTo("alice@example.com", "Filed", QUEUE_ID);
        Mail mail = mail(true, "alice@example.com");

        testee.service(mail);

        assertThat(mail.getRecipients()).isEmpty();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void serviceShouldKeepRecipientsWhoHaveOnlyOtherMessages() throws Exception {
        appendToInbox("alice@example.com", "Mail1700000000000-other");
        Mail mail = mail(true, "alice@example.com");

        testee.service(mail);

        assertThat(mail.getRecipients()).containsExactly(new MailAddress("alice@example.com"));
    }

    @Test
    void serviceShouldNotSearchMailThatIsDeliveredForTheFirstTime() throws Exception {
        MailboxManager untouchable = mock(MailboxManager.class);
        SkipDeliveredRecipients firstTime = new SkipDeliveredRecipients(untouchable, users);
        Mail mail = mail(false, "alice@example.com");

        firstTime.service(mail);

        verifyNoInteractions(untouchable);
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("alice@example.com"));
    }

    @Test
    void initShouldRejectParameters() {
        assertThatThrownBy(() -> testee.init(FakeMailetConfig.builder().mailetName("SkipDeliveredRecipients")
            .setProperty("mode", "strict").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'mode'");
    }

    private Mail mail(boolean redelivered, String... recipients) throws Exception {
        FakeMail.Builder builder = FakeMail.builder()
            .name(QUEUE_ID)
            .recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader(QueueRedelivery.HEADER, QUEUE_ID)
                .setSubject("hello")
                .setText("body"));
        if (redelivered) {
            builder.attribute(QueueRedelivery.marker());
        }
        return builder.build();
    }

    private void createInbox(String user) throws Exception {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        mailboxManager.createMailbox(MailboxPath.inbox(session), session);
    }

    private void appendToInbox(String user, String queueId) throws Exception {
        createInbox(user);
        appendTo(user, "INBOX", queueId);
    }

    private void appendTo(String user, String mailbox, String queueId) throws Exception {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        MailboxPath path = MailboxPath.forUser(Username.of(user), mailbox);
        if (!reactor.core.publisher.Mono.from(mailboxManager.mailboxExists(path, session)).block()) {
            mailboxManager.createMailbox(path, session);
        }
        String message = QueueRedelivery.HEADER + ": " + queueId + "\r\nSubject: stored\r\n\r\nbody\r\n";
        mailboxManager.getMailbox(path, session).appendMessage(
            MessageManager.AppendCommand.from(new javax.mail.util.SharedByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII))),
            session);
    }
}
