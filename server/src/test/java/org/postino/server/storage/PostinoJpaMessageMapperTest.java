package org.postino.server.storage;

import java.time.Instant;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;

/**
 * James's contract for message mappers, against {@link PostinoJpaMessageMapper}: James's JPA mapper
 * with message ids and save dates must still do all it did.
 */
class PostinoJpaMessageMapperTest extends MessageMapperTest {

    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("messageMapper");

    private final UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());

    @Override
    protected MapperProvider createMapperProvider() {
        return new JpaMapperProvider(DATABASE, clock);
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
