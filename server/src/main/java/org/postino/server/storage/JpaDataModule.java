package org.postino.server.storage;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.james.CoreDataModule;
import org.apache.james.adapter.mailbox.UserRepositoryAuthorizator;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailrepository.api.MailRepositoryFactory;
import org.apache.james.mailrepository.api.MailRepositoryUrlStore;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryFactory;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryUrlStore;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.rrt.api.AliasReverseResolver;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.AliasReverseResolverImpl;
import org.apache.james.rrt.lib.CanSendFromImpl;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.sieve.jpa.JPASieveRepository;
import org.apache.james.sieverepository.api.SieveQuotaRepository;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.jpa.JPAUsersRepository;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;

import com.google.common.collect.ImmutableList;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Server data on JPA: domains, users, recipient rewrite tables, sieve scripts and the list of
 * known mail repositories, all in the database described by {@link DatabaseConfiguration}.
 * James publishes these libraries but not their Guice wiring; this is ours.
 */
public class JpaDataModule extends AbstractModule {

    private final DatabaseConfiguration database;

    public JpaDataModule(DatabaseConfiguration database) {
        this.database = database;
    }

    @Override
    protected void configure() {
        install(new CoreDataModule());
        bind(DatabaseConfiguration.class).toInstance(database);

        bind(JPADomainList.class).in(Scopes.SINGLETON);
        bind(DomainList.class).to(JPADomainList.class);

        bind(JPAUsersRepository.class).in(Scopes.SINGLETON);
        bind(UsersRepository.class).to(JPAUsersRepository.class);
        bind(Authorizator.class).to(UserRepositoryAuthorizator.class);

        bind(JPARecipientRewriteTable.class).in(Scopes.SINGLETON);
        bind(RecipientRewriteTable.class).to(JPARecipientRewriteTable.class);
        bind(AliasReverseResolverImpl.class).in(Scopes.SINGLETON);
        bind(AliasReverseResolver.class).to(AliasReverseResolverImpl.class);
        bind(CanSendFromImpl.class).in(Scopes.SINGLETON);
        bind(CanSendFrom.class).to(CanSendFromImpl.class);

        bind(JPASieveRepository.class).in(Scopes.SINGLETON);
        bind(SieveRepository.class).to(JPASieveRepository.class);
        bind(SieveQuotaRepository.class).to(JPASieveRepository.class);

        // Repository names are remembered in the database; the repositories themselves are the
        // ones configured in mailrepositorystore.xml (files under the data directory by default).
        bind(JPAMailRepositoryUrlStore.class).in(Scopes.SINGLETON);
        bind(MailRepositoryUrlStore.class).to(JPAMailRepositoryUrlStore.class);
        bind(MailRepositoryStoreConfiguration.Item.class)
            .toProvider(() -> new MailRepositoryStoreConfiguration.Item(
                ImmutableList.of(new Protocol("jpa")),
                JPAMailRepository.class.getName(),
                new BaseHierarchicalConfiguration()));
        Multibinder.newSetBinder(binder(), MailRepositoryFactory.class)
            .addBinding().to(JPAMailRepositoryFactory.class);
    }

    @Provides
    @Singleton
    EntityManagerFactory entityManagerFactory(DatabaseConfiguration configuration) {
        return Persistence.createEntityManagerFactory("Global", configuration.openJpaProperties());
    }

    @ProvidesIntoSet
    InitializationOperation configureDomains(DomainListConfiguration configuration, JPADomainList domains) {
        return InitilizationOperationBuilder
            .forClass(JPADomainList.class)
            .init(() -> domains.configure(configuration));
    }

    @ProvidesIntoSet
    InitializationOperation configureUsers(ConfigurationProvider configurationProvider, JPAUsersRepository users) {
        return InitilizationOperationBuilder
            .forClass(JPAUsersRepository.class)
            .init(() -> users.configure(configurationProvider.getConfiguration("usersrepository")));
    }

    @ProvidesIntoSet
    InitializationOperation configureRewriteTable(ConfigurationProvider configurationProvider, JPARecipientRewriteTable table) {
        return InitilizationOperationBuilder
            .forClass(JPARecipientRewriteTable.class)
            .init(() -> table.configure(configurationProvider.getConfiguration("recipientrewritetable")));
    }
}
