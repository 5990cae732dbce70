package org.postino.server.storage;

import java.time.Instant;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMoveTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;

/** James's contract for moving messages, against {@link PostinoJpaMessageMapper}. */
class PostinoJpaMessageMoveTest extends MessageMoveTest {

    private static final EntityManagerFactory DATABASE = MailboxTestDatabase.create("messageMove");

    @Override
    protected MapperProvider createMapperProvider() {
        return new JpaMapperProvider(DATABASE, new UpdatableTickingClock(Instant.now()));
    }

    @AfterEach
    void emptyDatabase() {
        MailboxTestDatabase.clear(DATABASE);
    }
}
