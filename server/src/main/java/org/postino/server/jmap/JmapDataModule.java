package org.postino.server.jmap;

import org.apache.james.DefaultVacationService;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.eventsourcing.eventstore.EventStore;
import org.apache.james.eventsourcing.eventstore.memory.InMemoryEventStore;
import org.apache.james.jmap.api.access.AccessTokenRepository;
import org.apache.james.jmap.api.change.EmailChangeRepository;
import org.apache.james.jmap.api.change.Limit;
import org.apache.james.jmap.api.change.MailboxChangeRepository;
import org.apache.james.jmap.api.change.State;
import org.apache.james.jmap.api.filtering.FilteringManagement;
import org.apache.james.jmap.api.filtering.impl.EventSourcingFilteringManagement;
import org.apache.james.jmap.api.filtering.impl.FilterUsernameChangeTaskStep;
import org.apache.james.jmap.api.identity.CustomIdentityDAO;
import org.apache.james.jmap.api.projections.EmailQueryView;
import org.apache.james.jmap.api.projections.MessageFastViewProjection;
import org.apache.james.jmap.api.projections.MessageFastViewProjectionHealthCheck;
import org.apache.james.jmap.api.upload.UploadRepository;
import org.apache.james.jmap.memory.access.MemoryAccessTokenRepository;
import org.apache.james.jmap.memory.change.MemoryEmailChangeRepository;
import org.apache.james.jmap.memory.change.MemoryMailboxChangeRepository;
import org.apache.james.jmap.memory.identity.MemoryCustomIdentityDAO;
import org.apache.james.jmap.memory.projections.MemoryEmailQueryView;
import org.apache.james.jmap.memory.projections.MemoryMessageFastViewProjection;
import org.apache.james.jmap.memory.pushsubscription.MemoryPushSubscriptionModule;
import org.apache.james.mailbox.AttachmentManager;
import org.apache.james.user.api.UsernameChangeTaskStep;
import org.apache.james.vacation.api.NotificationRegistry;
import org.apache.james.vacation.api.VacationRepository;
import org.apache.james.vacation.api.VacationService;
import org.apache.james.vacation.memory.MemoryNotificationRegistry;

import java.nio.file.Path;
import java.time.Clock;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;

/**
 * What James's JMAP keeps besides mail. Uploads (attachments being composed) are files in the data directory
 * ({@link FileUploadRepository}); attachments are read as parts of their stored message
 * ({@link MessagePartsAttachmentManager}); vacation responses are files too ({@link FileVacationRepository}). Postino's store has no tables for the rest yet, so it lives in memory, as in
 * James's memory server: caches and projections (rebuilt from the mailboxes on demand), change logs (a client that
 * asks for changes from before a restart is told to resynchronise, which RFC 8620 provides for), access tokens — and,
 * until a durable store comes, filter rules, custom identities and push subscriptions, which a
 * restart forgets (conf/README.md says so).
 */
public class JmapDataModule extends AbstractModule {

    /** How many changes per account and kind are kept for {@code Email/changes} and {@code Mailbox/changes}. */
    static final int CHANGE_LOG_LIMIT = 256;

    private final Path dataDirectory;

    public JmapDataModule(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    @Override
    protected void configure() {
        bind(MemoryAccessTokenRepository.class).in(Scopes.SINGLETON);
        bind(AccessTokenRepository.class).to(MemoryAccessTokenRepository.class);

        bind(UploadRepository.class).toInstance(new FileUploadRepository(dataDirectory.resolve("jmap/uploads"), Clock.systemUTC()));
        bind(MessagePartsAttachmentManager.class).in(Scopes.SINGLETON);
        bind(AttachmentManager.class).to(MessagePartsAttachmentManager.class);

        bind(MemoryCustomIdentityDAO.class).in(Scopes.SINGLETON);
        bind(CustomIdentityDAO.class).to(MemoryCustomIdentityDAO.class);

        bind(InMemoryEventStore.class).in(Scopes.SINGLETON);
        bind(EventStore.class).to(InMemoryEventStore.class);
        bind(EventSourcingFilteringManagement.class).in(Scopes.SINGLETON);
        bind(FilteringManagement.class).to(EventSourcingFilteringManagement.class);
        bind(EventSourcingFilteringManagement.ReadProjection.class).to(EventSourcingFilteringManagement.NoReadProjection.class);

        bind(MemoryMessageFastViewProjection.class).in(Scopes.SINGLETON);
        bind(MessageFastViewProjection.class).to(MemoryMessageFastViewProjection.class);
        bind(MemoryEmailQueryView.class).in(Scopes.SINGLETON);
        bind(EmailQueryView.class).to(MemoryEmailQueryView.class);
        bind(MessageFastViewProjectionHealthCheck.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(MessageFastViewProjectionHealthCheck.class);

        bind(State.Factory.class).to(State.DefaultFactory.class);
        bind(MemoryMailboxChangeRepository.class).in(Scopes.SINGLETON);
        bind(MailboxChangeRepository.class).to(MemoryMailboxChangeRepository.class);
        bind(MemoryEmailChangeRepository.class).in(Scopes.SINGLETON);
        bind(EmailChangeRepository.class).to(MemoryEmailChangeRepository.class);
        bind(Limit.class).annotatedWith(Names.named(MemoryEmailChangeRepository.LIMIT_NAME)).toInstance(Limit.of(CHANGE_LOG_LIMIT));
        bind(Limit.class).annotatedWith(Names.named(MemoryMailboxChangeRepository.LIMIT_NAME)).toInstance(Limit.of(CHANGE_LOG_LIMIT));

        bind(DefaultVacationService.class).in(Scopes.SINGLETON);
        bind(VacationService.class).to(DefaultVacationService.class);
        bind(VacationRepository.class).toInstance(new FileVacationRepository(dataDirectory.resolve("jmap/vacation")));
        bind(MemoryNotificationRegistry.class).in(Scopes.SINGLETON);
        bind(NotificationRegistry.class).to(MemoryNotificationRegistry.class);

        install(new MemoryPushSubscriptionModule());

        Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class).addBinding().to(FilterUsernameChangeTaskStep.class);
    }
}
