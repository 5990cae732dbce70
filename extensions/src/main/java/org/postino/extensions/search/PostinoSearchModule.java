package org.postino.extensions.search;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.james.events.EventListener;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.postino.extensions.search.text.PostinoTextExtractor;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Mailbox search on OpenSearch for a James server: the index listens to mailbox events, IMAP
 * SEARCH and JMAP read it, the catch-up keeps it whole through outages.
 *
 * @param hosts where OpenSearch answers, once known (the distribution's embedded node tells it
 *              when it has started)
 */
public class PostinoSearchModule extends AbstractModule {
    private final SearchSettings settings;
    private final CompletableFuture<List<URI>> hosts;

    public PostinoSearchModule(SearchSettings settings, CompletableFuture<List<URI>> hosts) {
        this.settings = settings;
        this.hosts = hosts;
    }

    @Override
    protected void configure() {
        bind(SearchSettings.class).toInstance(settings);
        bind(TextExtractor.class).toInstance(new PostinoTextExtractor());
        bind(PostinoSearchIndex.class).in(Scopes.SINGLETON);
        bind(MessageSearchIndex.class).to(PostinoSearchIndex.class);
        bind(ListeningMessageSearchIndex.class).to(PostinoSearchIndex.class);
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class)
            .addBinding().to(PostinoSearchIndex.class);
    }

    @Provides
    @Singleton
    Set<ListeningMessageSearchIndex.SearchOverride> searchOverrides() {
        return Set.of();
    }

    @Provides
    @Singleton
    MailIndexClient mailIndexClient() {
        return new MailIndexClient(hosts, settings.user().orElse(null), settings.password().orElse(null),
            settings.indexName(), (int) settings.connectTimeout().toMillis(), (int) settings.requestTimeout().toMillis())
            .layout(settings.shards(), settings.replicas());
    }

    @Provides
    @Singleton
    MailDocument mailDocument(TextExtractor textExtractor) {
        return new MailDocument(textExtractor);
    }

    @Provides
    @Singleton
    IndexBacklog backlog() {
        return IndexBacklog.inFile(settings.backlogFile());
    }

    @Provides
    @Singleton
    IndexCatchUp catchUp(PostinoSearchIndex index, MailIndexClient client, IndexBacklog backlog,
                         MailboxSessionMapperFactory mappers, SessionProvider sessions, MailboxId.Factory mailboxIds) {
        return new IndexCatchUp(index, client, backlog, mappers, sessions, mailboxIds, () -> {
            try {
                client.ensureIndex();
                return true;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, settings.catchUpPeriod());
    }

    @ProvidesIntoSet
    InitializationOperation startCatchUp(IndexCatchUp catchUp) {
        return InitilizationOperationBuilder
            .forClass(IndexCatchUp.class)
            .init(catchUp::start);
    }
}
