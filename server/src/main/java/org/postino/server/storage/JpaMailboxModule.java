package org.postino.server.storage;

import static org.apache.james.modules.Names.MAILBOXMANAGER_NAME;

import javax.inject.Inject;

import org.apache.james.adapter.mailbox.ACLUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.MailboxUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.QuotaUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.UserRepositoryAuthenticator;
import org.apache.james.events.EventListener;
import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.RightManager;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.acl.MailboxACLResolver;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.jpa.JPAAttachmentContentLoader;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.jpa.openjpa.OpenJPAMailboxManager;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaManager;
import org.apache.james.mailbox.jpa.quota.JpaCurrentQuotaManager;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootDeserializer;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.quota.UserQuotaRootResolver;
import org.apache.james.mailbox.store.JVMMailboxPathLocker;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.event.MailboxAnnotationListener;
import org.apache.james.mailbox.store.mail.MailboxMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapperFactory;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.ListeningCurrentQuotaUpdater;
import org.apache.james.mailbox.store.quota.QuotaUpdater;
import org.apache.james.mailbox.store.quota.StoreQuotaManager;
import org.apache.james.mailbox.store.user.SubscriptionMapperFactory;
import org.apache.james.quota.search.QuotaSearcher;
import org.apache.james.quota.search.scanning.ScanningQuotaSearcher;
import org.apache.james.user.api.UsernameChangeTaskStep;
import org.apache.james.utils.MailboxManagerDefinition;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;

/**
 * Mailboxes on JPA: messages, flags, subscriptions, annotations, quotas.
 *
 * <p>Search is wired apart (see {@code SearchModules}: the OpenSearch index, or James's scanning
 * search). Thread ids use the naive algorithm, which does not parse stored mail on delivery.
 *
 * <p>Messages can also be reached by message id ({@link MessageIdManager}, which JMAP needs): James's
 * JPA mailbox has no message ids, Postino adds them (see {@link JpaMessageIdMapper}).
 */
public class JpaMailboxModule extends AbstractModule {

    @Override
    protected void configure() {
        // James's JPA mapper factory, plus message ids (see JpaMessageIdMapper)
        bind(PostinoJpaMailboxSessionMapperFactory.class).in(Scopes.SINGLETON);
        bind(JPAMailboxSessionMapperFactory.class).to(PostinoJpaMailboxSessionMapperFactory.class);
        bind(SubscriptionMapperFactory.class).to(PostinoJpaMailboxSessionMapperFactory.class);
        bind(MessageMapperFactory.class).to(PostinoJpaMailboxSessionMapperFactory.class);
        bind(MailboxMapperFactory.class).to(PostinoJpaMailboxSessionMapperFactory.class);
        bind(MailboxSessionMapperFactory.class).to(PostinoJpaMailboxSessionMapperFactory.class);
        bind(StoreMessageIdManager.class).in(Scopes.SINGLETON);
        bind(MessageIdManager.class).to(StoreMessageIdManager.class);
        bind(StoreRightManager.class).in(Scopes.SINGLETON);
        bind(RightManager.class).to(StoreRightManager.class);

        bind(PostinoJpaMailboxManager.class).in(Scopes.SINGLETON);
        bind(OpenJPAMailboxManager.class).to(PostinoJpaMailboxManager.class);
        bind(MailboxManager.class).to(PostinoJpaMailboxManager.class);
        bind(StoreMailboxManager.class).to(PostinoJpaMailboxManager.class);
        bind(MailboxManager.class).annotatedWith(Names.named(MAILBOXMANAGER_NAME)).to(MailboxManager.class);
        bind(MailboxManagerConfiguration.class).toInstance(MailboxManagerConfiguration.DEFAULT);
        Multibinder.newSetBinder(binder(), MailboxManagerDefinition.class).addBinding().to(JpaMailboxManagerDefinition.class);

        bind(JVMMailboxPathLocker.class).in(Scopes.SINGLETON);
        bind(MailboxPathLocker.class).to(JVMMailboxPathLocker.class);
        bind(StoreSubscriptionManager.class).in(Scopes.SINGLETON);
        bind(SubscriptionManager.class).to(StoreSubscriptionManager.class);
        bind(JPAModSeqProvider.class).in(Scopes.SINGLETON);
        bind(ModSeqProvider.class).to(JPAModSeqProvider.class);
        bind(JPAUidProvider.class).in(Scopes.SINGLETON);
        bind(UidProvider.class).to(JPAUidProvider.class);
        bind(JPAId.Factory.class).in(Scopes.SINGLETON);
        bind(MailboxId.Factory.class).to(JPAId.Factory.class);
        // James's DefaultMessageId is a placeholder that cannot be stored nor compared
        bind(PostinoMessageId.Factory.class).in(Scopes.SINGLETON);
        bind(MessageId.Factory.class).to(PostinoMessageId.Factory.class);
        bind(NaiveThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);
        bind(ThreadIdGuessingAlgorithm.class).to(NaiveThreadIdGuessingAlgorithm.class);
        bind(SessionProviderImpl.class).in(Scopes.SINGLETON);
        bind(SessionProvider.class).to(SessionProviderImpl.class);
        bind(UserRepositoryAuthenticator.class).in(Scopes.SINGLETON);
        bind(Authenticator.class).to(UserRepositoryAuthenticator.class);
        bind(UnionMailboxACLResolver.class).in(Scopes.SINGLETON);
        bind(MailboxACLResolver.class).to(UnionMailboxACLResolver.class);
        bind(AttachmentContentLoader.class).to(JPAAttachmentContentLoader.class);


        Multibinder.newSetBinder(binder(), EventListener.GroupEventListener.class)
            .addBinding().to(MailboxAnnotationListener.class);

        Multibinder<UsernameChangeTaskStep> renameSteps = Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class);
        renameSteps.addBinding().to(MailboxUsernameChangeTaskStep.class);
        renameSteps.addBinding().to(ACLUsernameChangeTaskStep.class);
        renameSteps.addBinding().to(QuotaUsernameChangeTaskStep.class);

        configureQuotas();
    }

    private void configureQuotas() {
        bind(DefaultUserQuotaRootResolver.class).in(Scopes.SINGLETON);
        bind(UserQuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootDeserializer.class).to(DefaultUserQuotaRootResolver.class);
        bind(JPAPerUserMaxQuotaManager.class).in(Scopes.SINGLETON);
        bind(MaxQuotaManager.class).to(JPAPerUserMaxQuotaManager.class);
        bind(StoreQuotaManager.class).in(Scopes.SINGLETON);
        bind(QuotaManager.class).to(StoreQuotaManager.class);
        bind(JpaCurrentQuotaManager.class).in(Scopes.SINGLETON);
        bind(CurrentQuotaManager.class).to(JpaCurrentQuotaManager.class);
        bind(ListeningCurrentQuotaUpdater.class).in(Scopes.SINGLETON);
        bind(QuotaUpdater.class).to(ListeningCurrentQuotaUpdater.class);
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class)
            .addBinding().to(ListeningCurrentQuotaUpdater.class);
        bind(ScanningQuotaSearcher.class).in(Scopes.SINGLETON);
        bind(QuotaSearcher.class).to(ScanningQuotaSearcher.class);
    }

    @Singleton
    private static class JpaMailboxManagerDefinition extends MailboxManagerDefinition {
        @Inject
        private JpaMailboxManagerDefinition(PostinoJpaMailboxManager manager) {
            super("jpa-mailboxmanager", manager);
        }
    }
}
