package org.postino.server.storage;

import java.time.Instant;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageIdMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;

/** James's contract for message id mappers, against {@link JpaMessageIdMapper} on Derby. */
class JpaMessageIdMapperTest extends MessageIdMapperTest {

    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("messageIdMapper");

    private final UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());

    @Override
    protected MapperProvider provideMapper() {
        return new JpaMapperProvider(DATABASE, clock, java.util.List.of(MapperProvider.Capabilities.THREAD_SAFE_FLAGS_UPDATE));
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return clock;
    }

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }
}
