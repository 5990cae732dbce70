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
import org.apache.james.jmap.api.filtering.impl.FilterUsernameChangeTaskStep;
import org.apache.james.jmap.api.identity.CustomIdentityDAO;
import org.apache.james.jmap.api.projections.EmailQueryView;
import org.apache.james.jmap.api.projections.MessageFastViewProjection;
import org.apache.james.jmap.api.projections.MessageFastViewProjectionHealthCheck;
import org.apache.james.jmap.api.upload.UploadRepository;
import org.apache.james.jmap.memory.access.MemoryAccessTokenRepository;
import org.apache.james.jmap.memory.identity.MemoryCustomIdentityDAO;
import org.apache.james.jmap.memory.projections.MemoryEmailQueryView;
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

/**
 * What James's JMAP keeps besides mail. Uploads (attachments being composed) are files in the data directory
 * ({@link FileUploadRepository}); attachments are read as parts of their stored message
 * ({@link MessagePartsAttachmentManager}); vacation responses and filter rules are files too ({@link FileVacationRepository},
 * {@link FileFilteringManagement}). Postino's store has no tables for the rest yet, so it lives in memory, as in
 * James's memory server: previews (the most recent 20,000, see {@link BoundedMessageFastViewProjection}), change logs (the last 5,000
 * changes per account, see {@link BoundedChangeLog}: a client that asks for changes from before those, or from before
 * a restart, is told to resynchronise, which RFC 8620 provides for), access tokens — and,
 * until a durable store comes, custom identities and push subscriptions, which a
 * restart forgets (conf/README.md says so).
 */
public class JmapDataModule extends AbstractModule {

    /** How many changes a {@code Email/changes} or {@code Mailbox/changes} answer holds unless the client asks fewer. */
    static final int CHANGES_PER_ANSWER = 256;
    /** How many changes of each kind are kept per account (older states: the client resynchronises). */
    static final int CHANGES_KEPT = 5_000;
    /** How many message previews are kept (a miss recomputes one). */
    static final long PREVIEWS_KEPT = 20_000;

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
        bind(FilteringManagement.class).toInstance(new FileFilteringManagement(dataDirectory.resolve("jmap/filters")));

        bind(MessageFastViewProjection.class).toInstance(new BoundedMessageFastViewProjection(PREVIEWS_KEPT));
        bind(MemoryEmailQueryView.class).in(Scopes.SINGLETON);
        bind(EmailQueryView.class).to(MemoryEmailQueryView.class);
        bind(MessageFastViewProjectionHealthCheck.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(MessageFastViewProjectionHealthCheck.class);

        bind(State.Factory.class).to(State.DefaultFactory.class);
        bind(MailboxChangeRepository.class).toInstance(new BoundedMailboxChangeRepository(CHANGES_KEPT, Limit.of(CHANGES_PER_ANSWER)));
        bind(EmailChangeRepository.class).toInstance(new BoundedEmailChangeRepository(CHANGES_KEPT, Limit.of(CHANGES_PER_ANSWER)));

        bind(DefaultVacationService.class).in(Scopes.SINGLETON);
        bind(VacationService.class).to(DefaultVacationService.class);
        bind(VacationRepository.class).toInstance(new FileVacationRepository(dataDirectory.resolve("jmap/vacation")));
        bind(MemoryNotificationRegistry.class).in(Scopes.SINGLETON);
        bind(NotificationRegistry.class).to(MemoryNotificationRegistry.class);

        install(new MemoryPushSubscriptionModule());

        Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class).addBinding().to(FilterUsernameChangeTaskStep.class);
    }
}
